import { describe, expect, it } from "vitest";
import { extractDocument, formatOf } from "../../src/ingest/extract";
import { sampleDoc } from "../fixtures/samples";

const utf8 = (s: string) => new TextEncoder().encode(s);

describe("extractDocument: plain text and Markdown", () => {
  it("returns Markdown as it is, with no pages", async () => {
    const md = sampleDoc("kestrel-bay-harbour-notes.md");
    const doc = await extractDocument(utf8(md), "text/markdown; charset=utf-8");
    expect(doc).toEqual({ text: md, format: "markdown", pages: null });
  });

  it("returns plain text as it is", async () => {
    const txt = sampleDoc("sourdough-starter.txt");
    const doc = await extractDocument(utf8(txt).buffer as ArrayBuffer, "text/plain");
    expect(doc).toEqual({ text: txt, format: "text", pages: null });
  });

  it("extracts the whole field guide as Markdown", async () => {
    const md = sampleDoc("field-guide.md");
    const doc = await extractDocument(utf8(md), "text/markdown");
    expect(doc.text).toBe(md);
    expect(doc.text).toContain("Hinton et al. (2015)");
  });

  it("strips a UTF-8 byte-order mark", async () => {
    const doc = await extractDocument(utf8("\uFEFF# Title\n\nBody."), "text/markdown");
    expect(doc.text).toBe("# Title\n\nBody.");
  });

  it("turns CRLF and lone CR into LF so offsets refer to the returned text", async () => {
    const doc = await extractDocument(utf8("\uFEFFline one\r\nline two\rline three\r\n\r\nend"), "text/plain");
    expect(doc.text).toBe("line one\nline two\nline three\n\nend");
    expect(doc.text.slice(doc.text.indexOf("three"), doc.text.indexOf("three") + 5)).toBe("three");
  });

  it("keeps non-ASCII text intact", async () => {
    const doc = await extractDocument(utf8("Müller et al. (2019) — “label smoothing”, 東京"), "text/plain");
    expect(doc.text).toBe("Müller et al. (2019) — “label smoothing”, 東京");
  });
});

describe("formatOf", () => {
  it.each([
    ["text/plain", "text"],
    ["text/plain; charset=UTF-8", "text"],
    ["Text/Markdown; Charset=\"utf-8\"", "markdown"],
    ["text/x-markdown", "markdown"],
    ["application/pdf", "pdf"],
    ["application/x-pdf", "pdf"],
    [" application/pdf ; name=paper.pdf", "pdf"],
  ] as const)("reads %s as %s", (type, format) => {
    expect(formatOf(type)).toBe(format);
  });
});
