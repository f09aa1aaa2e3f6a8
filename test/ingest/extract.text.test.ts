import { describe, expect, it } from "vitest";
import { decodeTextStream, extractDocument, formatOf } from "../../src/ingest/extract";
import { decodeText } from "../../src/ingest/extract/text";
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

describe("decodeTextStream", () => {
  /** Decodes `bytes` delivered in chunks cut at `cuts`, pieces of `pieceBytes`; answers the text and the pauses. */
  async function streamed(bytes: Uint8Array, cuts: number[], pieceBytes: number) {
    const bounds = [0, ...cuts.filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b), bytes.length];
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i + 1 < bounds.length; i++) controller.enqueue(bytes.slice(bounds[i], bounds[i + 1]));
        controller.close();
      },
    });
    const pieces: string[] = [];
    let pauses = 0;
    await decodeTextStream(stream, async (t) => void pieces.push(t), async () => void pauses++, pieceBytes);
    return { text: pieces.join(""), pieces, pauses };
  }

  it("gives the text decodeText gives, however the bytes are cut: BOM, CRLF and lone CR split across pieces, multi-byte characters cut", async () => {
    const text = "\uFEFF\uFEFFa\r\nb\rc\r\r\nd 😀 漢字 e\u0301\r" + "x\r\ny😀".repeat(50) + "\r";
    const bytes = utf8(text);
    const whole = decodeText(bytes);
    for (let cut = 1; cut < 40; cut++) {
      for (const pieceBytes of [1, 2, 3, 7, 64]) {
        const { text: got } = await streamed(bytes, [cut, cut * 3, cut * 7 + 1], pieceBytes);
        expect(got).toBe(whole);
      }
    }
  });

  it("pauses after every piece of bytes: 1 MB in 64 KiB pieces pauses 15 times, however the stream chunks it", async () => {
    const bytes = utf8("word ".repeat(200_000));
    for (const cuts of [[], [100, 5000, 70_000, 500_000], Array.from({ length: 300 }, (_, i) => i * 3333)]) {
      const { pauses, pieces } = await streamed(bytes, cuts, 64 * 1024);
      expect(pauses).toBe(Math.floor(bytes.length / (64 * 1024)));
      expect(Math.max(...pieces.map((p) => p.length))).toBeLessThanOrEqual(64 * 1024);
    }
  });

  it("refuses invalid UTF-8 and text with nothing to read, as decodeText and assertHasText do", async () => {
    await expect(streamed(new Uint8Array([0x61, 0xff, 0x62]), [2], 2)).rejects.toMatchObject({ code: "bad_request" });
    await expect(streamed(utf8("a😀").slice(0, 3), [], 2)).rejects.toMatchObject({ code: "bad_request" });
    await expect(streamed(utf8(" \n\t\u200b ".repeat(100)), [17], 5)).rejects.toMatchObject({ code: "bad_request", message: expect.stringContaining("no text") });
  });
});
