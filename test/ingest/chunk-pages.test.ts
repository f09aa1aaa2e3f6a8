import { describe, expect, it } from "vitest";
import { CHUNK_PAGE_BYTES, chunkPages } from "../../src/ingest/chunk-pages";

const chunk = (i: number, chars: number) => ({ id: `c${i}`, text: "é".repeat(chars) });

describe("chunkPages", () => {
  it("keeps every page's text within the byte bound, in order, losing nothing", () => {
    const chunks = Array.from({ length: 1000 }, (_, i) => chunk(i, 100 + (i % 37) * 50));
    const pages = chunkPages(chunks, 64 * 1024);
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages) {
      const utf8 = page.reduce((n, c) => n + new TextEncoder().encode(c.text).byteLength, 0);
      expect(utf8).toBeLessThanOrEqual(64 * 1024);
    }
    expect(pages.flat().map((c) => c.id)).toEqual(chunks.map((c) => c.id));
  });

  it("puts a chunk larger than the bound on a page of its own rather than dropping it", () => {
    const pages = chunkPages([chunk(0, 10), chunk(1, 50_000), chunk(2, 10)], 1024);
    expect(pages.map((p) => p.map((c) => c.id))).toEqual([["c0"], ["c1"], ["c2"]]);
  });

  it("gives an empty document one empty page, which carries its counts", () => {
    expect(chunkPages([])).toEqual([[]]);
  });

  it("stays far below the 32 MiB an object call may carry by default", () => {
    expect(CHUNK_PAGE_BYTES).toBeLessThanOrEqual(8 * 1024 * 1024);
  });
});
