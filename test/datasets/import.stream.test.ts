import { describe, expect, it } from "vitest";
import { streamImport } from "../../src/datasets/import";

function example(i: number) {
  return JSON.stringify({
    messages: [
      { role: "user", content: `Question number ${i}: ${"é".repeat(i % 200)}?` },
      { role: "assistant", content: `Answer ${i}` },
    ],
  });
}

const utf8 = (s: string) => new TextEncoder().encode(s).byteLength;

/** Runs a streamed import of `text`, recording every page it stages and the UTF-8 bytes each carried. */
async function run(text: string, opts: { skipInvalid?: boolean; pageBytes?: number } = {}) {
  const pages: string[][] = [];
  const result = streamImport(new Blob([text]).stream(), {
    limits: { maxBytes: 64 * 1024 * 1024, maxLines: 100_000 },
    skipInvalid: opts.skipInvalid ?? false,
    toRow: async (line) => line.text,
    sizeOf: (row) => row.length * 3,
    stage: async (rows) => {
      pages.push(rows);
    },
    pageBytes: opts.pageBytes ?? 64 * 1024,
  });
  return { result, pages };
}

describe("streamImport", () => {
  it("stages every valid line, in order, in pages that each carry at most pageBytes", async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => example(i));
    const { result, pages } = await run(lines.join("\n") + "\n");
    expect(await result).toMatchObject({ staged: 3000, skipped: 0, rejected: [] });
    expect(pages.length).toBeGreaterThan(5);
    for (const page of pages) expect(page.reduce((n, row) => n + utf8(row), 0)).toBeLessThanOrEqual(64 * 1024);
    expect(pages.flat()).toEqual(lines);
    expect((await result).pages).toBe(pages.length);
  });

  it("refuses the import when the last line is bad, after staging pages the caller then discards", async () => {
    const lines = Array.from({ length: 2000 }, (_, i) => example(i));
    const { result, pages } = await run(lines.join("\n") + "\n{bad json\n");
    await expect(result).rejects.toMatchObject({ code: "validation_failed", details: [expect.objectContaining({ line: 2001 })] });
    expect(pages.length).toBeGreaterThan(1);
  });

  it("stops staging at the first bad line when bad lines refuse the import, but reports every one", async () => {
    const text = [example(1), "nope", ...Array.from({ length: 500 }, (_, i) => example(i + 2)), "also bad"].join("\n");
    const { result, pages } = await run(text, { pageBytes: 1024 });
    await expect(result).rejects.toMatchObject({ details: [expect.objectContaining({ line: 2 }), expect.objectContaining({ line: 503 })] });
    expect(pages.flat()).toEqual([]); // the one valid line before it never left its page
  });

  it("with skipInvalid stages the valid lines and reports the skipped ones", async () => {
    const text = [example(1), "nope", example(2), "", example(3)].join("\n");
    const { result, pages } = await run(text, { skipInvalid: true });
    expect(await result).toMatchObject({ staged: 3, skipped: 1, skipped_blank: 1, rejected: [expect.objectContaining({ line: 2 })] });
    expect(pages.flat()).toEqual([example(1), example(2), example(3)]);
  });
});
