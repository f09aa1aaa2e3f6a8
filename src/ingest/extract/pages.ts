/** Where one page of a PDF sits in the extracted text: characters [start, end). */
export interface PageSpan {
  /** 1-based page number. */
  page: number;
  start: number;
  end: number;
}

/** Placed between pages in the joined text (a paragraph break). */
export const PAGE_SEPARATOR = "\n\n";

/** Joins page texts with {@link PAGE_SEPARATOR} and records each page's span in the result. */
export function joinPages(pageTexts: readonly string[]): { text: string; pages: PageSpan[] } {
  const pages: PageSpan[] = [];
  let text = "";
  pageTexts.forEach((pageText, i) => {
    if (i > 0) text += PAGE_SEPARATOR;
    const start = text.length;
    text += pageText;
    pages.push({ page: i + 1, start, end: text.length });
  });
  return { text, pages };
}

/**
 * The page an offset of the extracted text falls on. The separator after a page
 * counts as that page, so every offset in [0, text.length) has one; null when the
 * document has no pages (text, Markdown) or the offset is outside the text.
 */
export function pageAt(pages: readonly PageSpan[] | null, offset: number): number | null {
  if (!pages || pages.length === 0 || offset < 0 || !Number.isFinite(offset)) return null;
  if (offset >= pages[pages.length - 1]!.end) return null;
  // Binary search for the last page starting at or before the offset.
  let lo = 0;
  let hi = pages.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (pages[mid]!.start <= offset) lo = mid;
    else hi = mid - 1;
  }
  return pages[lo]!.page;
}

/** The first and last pages a span [start, end) of the extracted text covers; null without pages. */
export function pageRange(
  pages: readonly PageSpan[] | null,
  start: number,
  end: number,
): { from: number; to: number } | null {
  const from = pageAt(pages, start);
  const to = pageAt(pages, Math.max(start, end - 1));
  return from === null || to === null ? null : { from, to };
}
