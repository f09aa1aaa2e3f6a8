import { describe, expect, it } from "vitest";
import { splitSlice, splitTextWith } from "../../src/ingest/split";
import { tokenCounter } from "../../src/llm";

const SENTENCES = [
  "Knowledge distillation trains a small student model to imitate a larger teacher.",
  "The student rarely matches the teacher on every task, but it runs at a fraction of the cost.",
  "Retrieval changes the picture: a student that reads the same passages can close much of the gap.",
  "Quality filters matter as much as quantity.",
];
// ~60 KB of prose in paragraphs.
const PROSE = Array.from({ length: 300 }, (_, i) => `Paragraph ${i}. ${SENTENCES.join(" ")} ${SENTENCES[i % 4]}`).join("\n\n");

/** Splits the whole text slice by slice, as the ingest consumer does across invocations. */
function sliceAll(text: string, count: (s: string) => number, options: Parameters<typeof splitSlice>[3]) {
  const slices = [];
  let from: number | null = 0;
  let countFrom = 0;
  while (from !== null) {
    const slice = splitSlice(text, from, count, options, countFrom);
    slices.push({ from, ...slice });
    from = slice.next;
    countFrom = slice.end;
  }
  return slices;
}

describe("splitSlice", () => {
  it("splits a document that fits one slice exactly as the whole-text splitter does", async () => {
    const count = await tokenCounter("cl100k_base");
    const options = { chunkSize: 256, chunkOverlap: 40, metadataText: "title: T" };
    const slice = splitSlice(PROSE, 0, count, { ...options, sliceChars: PROSE.length });
    expect(slice.next).toBeNull();
    expect(slice.chunks).toEqual(splitTextWith(PROSE, count, options));
    expect(slice.tokens).toBe(count(PROSE));
  });

  it("never splits more than sliceChars at a time, and the slices cover the text with its overlap kept at the seams", async () => {
    const count = await tokenCounter("cl100k_base");
    const options = { chunkSize: 128, chunkOverlap: 24, metadataText: "title: T", sliceChars: 4096 };
    const slices = sliceAll(PROSE, count, options);
    expect(slices.length).toBeGreaterThan(10);
    for (const s of slices) expect(s.end - s.from).toBeLessThanOrEqual(4096);
    const chunks = slices.flatMap((s) => s.chunks);
    for (const [i, c] of chunks.entries()) {
      expect(c.text).toBe(PROSE.slice(c.start, c.end));
      expect(c.tokens + count("title: T\n\n")).toBeLessThanOrEqual(128);
      if (i === 0) continue;
      const prev = chunks[i - 1]!;
      expect(c.start).toBeGreaterThan(prev.start);
      // No text is left out between chunks: each starts at or before the previous one's end (overlap).
      expect(PROSE.slice(prev.end, c.start).trim()).toBe("");
    }
    expect(chunks.at(-1)!.end).toBe(PROSE.trimEnd().length);
    // Counts add up: each slice counts a disjoint span, cut where no pre-token spans the seam.
    expect(slices.reduce((n, s) => n + s.tokens, 0)).toBe(count(PROSE));
  });

  it("is deterministic from its start: a slice redone after a crash yields the same chunks", async () => {
    const count = await tokenCounter("o200k_base");
    const options = { chunkSize: 64, chunkOverlap: 8, sliceChars: 2048 };
    const first = splitSlice(PROSE, 5000, count, options);
    expect(splitSlice(PROSE, 5000, count, options)).toEqual(first);
  });

  it("makes progress on text without spaces (one repeated character)", async () => {
    const count = await tokenCounter("cl100k_base");
    const text = "x".repeat(50_000);
    const slices = sliceAll(text, count, { chunkSize: 64, chunkOverlap: 0, sliceChars: 4096 });
    for (const s of slices) expect(s.end - s.from).toBeLessThanOrEqual(4096);
    const chunks = slices.flatMap((s) => s.chunks);
    expect(chunks.map((c) => c.text).join("")).toBe(text);
  });

  it("leaves a slice's last chunk uncounted when the next slice splits it again: one repeated character is counted under 3.8 times, not 4.2", async () => {
    const exact = await tokenCounter("cl100k_base");
    let counted = 0;
    const count = (s: string) => {
      counted += s.length;
      return exact(s);
    };
    const text = "x".repeat(200_000);
    const slices = sliceAll(text, count, { chunkSize: 1024, chunkOverlap: 200, metadataText: "title: T", sliceChars: 8192 });
    expect(slices.length).toBeGreaterThan(20);
    expect(slices.flatMap((s) => s.chunks).at(-1)!.end).toBe(text.length);
    // Was 4.24: each slice closed and counted its last chunk (and that chunk's overlap) and dropped it.
    expect(counted / text.length).toBeLessThan(3.8);
  });
});
