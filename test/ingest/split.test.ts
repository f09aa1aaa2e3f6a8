import { describe, expect, it } from "vitest";
import { chunkProblems, embedText, splitText, type SplitEncoding } from "../../src/ingest/split";
import { tokenCounter } from "../../src/llm";

// Ordinary text: paragraphs between blank lines, citations with "et al." and "e.g.", decimals.
const ARTICLE = `Knowledge distillation trains a small student model to imitate a larger teacher. Hinton et al. (2015) framed it as matching softened output distributions. Later work, e.g. Sanh et al. (2019), distilled whole transformer stacks.

The student rarely matches the teacher on every task. It does, however, run at a fraction of the cost. Fig. 2 compares latency at 3.5 times lower cost per token.

Retrieval changes the picture. A student that reads the same passages as its teacher can close much of the gap! Does it generalise beyond the training documents? Early results by Lee et al. (2023) suggest it does.

Quality filters matter as much as quantity. Examples that contradict their sources are dropped before training. What remains is split into training and evaluation sets.`;

// A longer document: the article's paragraphs in a varying order, with a heading per section.
const DOCUMENT = Array.from({ length: 12 }, (_, i) => {
  const paragraphs = ARTICLE.split("\n\n");
  const order = paragraphs.map((_, j) => paragraphs[(i + j) % paragraphs.length]!);
  return `Section ${i + 1}: findings from study ${i + 1}\n\n${order.join("\n\n")}`;
}).join("\n\n\n");

const ENCODINGS: SplitEncoding[] = ["cl100k_base", "o200k_base"];

describe.each(ENCODINGS)("splitText on ordinary text (%s)", (encoding) => {
  it("keeps every chunk within chunk_size tokens", async () => {
    const count = await tokenCounter(encoding);
    for (const chunkSize of [64, 200, 1024]) {
      const chunks = await splitText(DOCUMENT, { chunkSize, chunkOverlap: Math.floor(chunkSize / 5), encoding });
      expect(chunks.length).toBeGreaterThan(chunkSize === 1024 ? 1 : 10);
      for (const chunk of chunks) {
        expect(count(chunk.text)).toBeLessThanOrEqual(chunkSize);
        expect(chunk.tokens).toBe(count(chunk.text));
      }
    }
  });

  it("returns chunks that equal the source slice at their offsets, trimmed and never empty", async () => {
    const chunks = await splitText(DOCUMENT, { chunkSize: 100, chunkOverlap: 20, encoding });
    for (const chunk of chunks) {
      expect(chunk.text).toBe(DOCUMENT.slice(chunk.start, chunk.end));
      expect(chunk.text).toBe(chunk.text.trim());
      expect(chunk.text.length).toBeGreaterThan(0);
    }
  });

  it("covers every non-whitespace character in order, starts never going back", async () => {
    const chunks = await splitText(DOCUMENT, { chunkSize: 100, chunkOverlap: 20, encoding });
    let covered = 0;
    for (const [i, chunk] of chunks.entries()) {
      expect(DOCUMENT.slice(covered, chunk.start).trim()).toBe("");
      if (i > 0) expect(chunk.start).toBeGreaterThan(chunks[i - 1]!.start);
      covered = Math.max(covered, chunk.end);
    }
    expect(DOCUMENT.slice(covered).trim()).toBe("");
  });

  it("returns the same chunks on every run", async () => {
    const first = await splitText(DOCUMENT, { chunkSize: 128, chunkOverlap: 32, encoding });
    expect(await splitText(DOCUMENT, { chunkSize: 128, chunkOverlap: 32, encoding })).toEqual(first);
  });

  it("starts each chunk with the previous chunk's last whole sentences, up to chunk_overlap tokens", async () => {
    const count = await tokenCounter(encoding);
    const chunks = await splitText(DOCUMENT, { chunkSize: 128, chunkOverlap: 40, encoding });
    let overlapping = 0;
    for (let i = 1; i < chunks.length; i++) {
      const [previous, chunk] = [chunks[i - 1]!, chunks[i]!];
      if (chunk.start >= previous.end) continue;
      overlapping++;
      const shared = DOCUMENT.slice(chunk.start, previous.end);
      expect(count(shared)).toBeLessThanOrEqual(40);
      // Whole pieces: the overlap starts a sentence of the previous chunk.
      expect(shared).toMatch(/^[A-Z]/);
    }
    expect(overlapping).toBeGreaterThan(chunks.length / 2);
  });

  it("passes every guarantee check with metadata embedded", async () => {
    const metadataText = "file_name: distillation.md\ntitle: Distilling teachers into students";
    const chunks = await splitText(DOCUMENT, { chunkSize: 150, chunkOverlap: 30, encoding, metadataText });
    const count = await tokenCounter(encoding);
    expect(chunkProblems(DOCUMENT, chunks, { count, chunkSize: 150, chunkOverlap: 30, metadataText })).toEqual([]);
    for (const chunk of chunks) expect(count(embedText(metadataText, chunk.text))).toBeLessThanOrEqual(150);
  });
});

describe("splitText compared with LlamaIndex's SentenceSplitter", () => {
  it("produces the chunks llamaindex 0.12.1 produces for the same text and settings", async () => {
    // SentenceSplitter({ chunkSize: 64, chunkOverlap: 16 }) with cl100k_base, run on Node 22.
    const llamaIndex = [
      "Knowledge distillation trains a small student model to imitate a larger teacher. Hinton et al. (2015) framed it as matching softened output distributions. Later work, e.g. Sanh et al. (2019), distilled whole transformer stacks.\n\nThe student rarely matches the teacher on every task.",
      "The student rarely matches the teacher on every task. It does, however, run at a fraction of the cost. Fig. 2 compares latency at 3.5 times lower cost per token.\n\nRetrieval changes the picture.",
      "Retrieval changes the picture. A student that reads the same passages as its teacher can close much of the gap! Does it generalise beyond the training documents? Early results by Lee et al. (2023) suggest it does.\n\nQuality filters matter as much as quantity.",
      "Quality filters matter as much as quantity. Examples that contradict their sources are dropped before training. What remains is split into training and evaluation sets.",
    ];
    const chunks = await splitText(ARTICLE, { chunkSize: 64, chunkOverlap: 16 });
    expect(chunks.map((c) => c.text)).toEqual(llamaIndex);
  });

  it("ends chunks at sentence boundaries when sentences fit, not after abbreviations", async () => {
    const chunks = await splitText(DOCUMENT, { chunkSize: 80, chunkOverlap: 20 });
    for (const chunk of chunks) {
      expect(chunk.text).toMatch(/[.!?]$/);
      expect(chunk.text).not.toMatch(/\b(?:al|e\.g|Fig)\.$/);
    }
  });

  it("returns the whole text as one chunk when it fits", async () => {
    const chunks = await splitText(ARTICLE);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).toMatchObject({ start: 0, end: ARTICLE.length, text: ARTICLE });
  });

  it("returns no chunk for empty or blank text", async () => {
    expect(await splitText("")).toEqual([]);
    expect(await splitText(" \n\r\n\t ")).toEqual([]);
  });

  it("trims whitespace at the ends by moving offsets, not by rewriting text", async () => {
    const text = "\n\n   Leading space and trailing space.   \r\n";
    const [chunk] = await splitText(text);
    expect(chunk).toMatchObject({ text: "Leading space and trailing space.", start: 5, end: 38 });
  });
});
