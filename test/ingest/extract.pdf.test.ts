import { beforeAll, describe, expect, it } from "vitest";
import { extractDocument, pageAt, pageRange, type ExtractedDocument } from "../../src/ingest/extract";
import { sampleDoc, samplePdf, tinyPdfPages } from "../fixtures/samples";

/** Whitespace-insensitive form; a line broken after a hyphen ("retrieval-⏎augmented") is rejoined. */
const flat = (s: string): string => s.replace(/-\n/g, "-").replace(/\s+/g, " ").trim();

/** The plain paragraphs of the Markdown (no headings, lists, tables or inline markup). */
function markdownParagraphs(md: string): string[] {
  return md
    .split(/\n{2,}/)
    .map((b) => b.trim())
    .filter((b) => b && !/^(#|\||[-*+] |\d+\. |>|```)/.test(b) && !/[*`_[]/.test(b));
}

describe("extractDocument: the generated field guide PDF", () => {
  let doc: ExtractedDocument;
  let pages: NonNullable<ExtractedDocument["pages"]>;
  let guide: string;

  beforeAll(async () => {
    doc = await extractDocument(samplePdf("corpusPdf"), "application/pdf");
    pages = doc.pages!;
    guide = sampleDoc("field-guide.md");
  });

  it("reads every page of a many-page PDF", () => {
    expect(doc.format).toBe("pdf");
    expect(pages.length).toBeGreaterThanOrEqual(30);
    expect(pages.map((p) => p.page)).toEqual(pages.map((_, i) => i + 1));
    for (const p of pages) expect(doc.text.slice(p.start, p.end).trim()).not.toBe("");
  });

  it("contains every plain paragraph of the Markdown it was typeset from", () => {
    // Paragraphs that run across a page break are interrupted by the running footer; skip it.
    const text = flat(doc.text.replace(/\n[^\n]*— page \d+ of \d+(\n|$)/g, "\n"));
    const paragraphs = markdownParagraphs(guide);
    expect(paragraphs.length).toBeGreaterThan(150);
    const missing = paragraphs.filter((p) => !text.includes(flat(p)));
    expect(missing).toEqual([]);
  });

  it("keeps author-year citations intact", () => {
    const text = flat(doc.text);
    for (const citation of [
      "Hinton et al. (2015)",
      "(Touvron et al., 2023b)",
      "Kim and Rush (2016)",
      "(Es et al., 2023; Zheng et al., 2023)",
      "Lin et al. (2021) introduced TruthfulQA, 817 questions spanning 38 categories",
      "Touvron et al. (2023b). Llama 2: Open Foundation and Fine-Tuned Chat Models.",
    ]) {
      expect(text).toContain(citation);
    }
    const citations = (s: string) => s.match(/\b[A-Z][a-z]+ et al\., (19|20)\d\d/g)?.length ?? 0;
    expect(citations(text)).toBe(citations(flat(guide)));
  });

  it("records contiguous page spans, joined by a blank line, that cover the text", () => {
    expect(pages[0]!.start).toBe(0);
    expect(pages.at(-1)!.end).toBe(doc.text.length);
    for (let i = 1; i < pages.length; i++) {
      expect(pages[i]!.start).toBe(pages[i - 1]!.end + 2);
      expect(doc.text.slice(pages[i - 1]!.end, pages[i]!.start)).toBe("\n\n");
    }
  });

  it("puts each page's own text in its span (the running footer names the page)", () => {
    for (const p of pages) {
      expect(doc.text.slice(p.start, p.end)).toContain(`page ${p.page} of ${pages.length}`);
    }
  });

  it("maps offsets to pages with pageAt and spans with pageRange", () => {
    expect(pageAt(pages, doc.text.indexOf("Abstract"))).toBe(1);
    const references = doc.text.lastIndexOf("References");
    expect(pageAt(pages, references)).toBeGreaterThan(pages.length - 8);
    for (const p of pages) {
      expect(pageAt(pages, p.start)).toBe(p.page);
      expect(pageAt(pages, p.end - 1)).toBe(p.page);
    }
    expect(pageAt(pages, pages[0]!.end)).toBe(1); // the separator after page 1
    expect(pageAt(pages, doc.text.length)).toBeNull();
    expect(pageAt(pages, -1)).toBeNull();
    expect(pageRange(pages, pages[2]!.start + 5, pages[4]!.start + 5)).toEqual({ from: 3, to: 5 });
  });
});

describe("extractDocument: the tiny PDF", () => {
  it("gives each page's known text at its recorded span", async () => {
    const expected = tinyPdfPages();
    const doc = await extractDocument(samplePdf("tinyPdf"), "application/pdf");
    expect(doc.pages).toHaveLength(expected.length);
    doc.pages!.forEach((p, i) => {
      expect(p.page).toBe(i + 1);
      expect(flat(doc.text.slice(p.start, p.end))).toBe(expected[i]);
      expect(pageAt(doc.pages, p.start + 10)).toBe(i + 1);
    });
    expect(flat(doc.text)).toBe(expected.join(" "));
  });

  it("accepts an ArrayBuffer and leaves the caller's bytes usable", async () => {
    const bytes = samplePdf("tinyPdf");
    const doc = await extractDocument(bytes.buffer as ArrayBuffer, "application/pdf; name=tiny.pdf");
    expect(doc.pages).toHaveLength(3);
    expect(bytes.byteLength).toBeGreaterThan(0);
    expect(new TextDecoder().decode(bytes.subarray(0, 5))).toBe("%PDF-");
  });
});
