import { describe, expect, it } from "vitest";
import { joinPages, pageAt, pageRange } from "../../src/ingest/extract";

describe("joinPages, pageAt and pageRange", () => {
  const { text, pages } = joinPages(["alpha", "", "gamma delta"]);

  it("joins pages with a blank line and records each page's span", () => {
    expect(text).toBe("alpha\n\n\n\ngamma delta");
    expect(pages).toEqual([
      { page: 1, start: 0, end: 5 },
      { page: 2, start: 7, end: 7 },
      { page: 3, start: 9, end: 20 },
    ]);
    for (const p of pages) expect(text.slice(p.start, p.end)).toBe(["alpha", "", "gamma delta"][p.page - 1]);
  });

  it("gives the page of every offset, counting a separator as the page before it", () => {
    const expected = [1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3];
    expect(Array.from(text, (_, i) => pageAt(pages, i))).toEqual(expected);
  });

  it("answers null outside the text and without pages", () => {
    expect(pageAt(pages, text.length)).toBeNull();
    expect(pageAt(pages, -1)).toBeNull();
    expect(pageAt(pages, Number.NaN)).toBeNull();
    expect(pageAt(null, 0)).toBeNull();
    expect(pageAt([], 0)).toBeNull();
  });

  it("gives the pages a span covers, its end being exclusive", () => {
    expect(pageRange(pages, 0, 5)).toEqual({ from: 1, to: 1 });
    expect(pageRange(pages, 2, 12)).toEqual({ from: 1, to: 3 });
    expect(pageRange(pages, 9, 10)).toEqual({ from: 3, to: 3 });
    expect(pageRange(null, 0, 5)).toBeNull();
  });

  it("handles a single page", () => {
    const one = joinPages(["only"]);
    expect(one).toEqual({ text: "only", pages: [{ page: 1, start: 0, end: 4 }] });
    expect(pageAt(one.pages, 3)).toBe(1);
  });
});
