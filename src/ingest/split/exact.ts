import type { TextCounter } from "./pieces";
import { isWhitespace } from "./spans";

/*
 * Exact token counts of concatenated pieces without encoding them again.
 *
 * Both encodings first cut text with a regex ("pre-split"), then run BPE inside each part, so a
 * count is additive across any offset where the pre-split cuts in every context. Two kinds of
 * offset q always are such cuts, for cl100k_base's and o200k_base's patterns alike:
 *  - a letter or number before q, and at q neither a letter, a number, a combining mark nor an
 *    apostrophe (letter, number and contraction parts cannot run past it);
 *  - a line break before q and, at q, neither whitespace nor "/" (whitespace parts end at their
 *    last line break; a punctuation part swallows trailing line breaks, and o200k's also "/").
 * And a piece boundary m is such a cut when a non-space ends the left piece and whitespace starts
 * the right one, unless punctuation meets a line break (". \n" is fine, ".\n" is one part).
 * Elsewhere the count of left + right differs from the sum of theirs by what happens inside a
 * small window [q, q') between two such cuts, which is counted directly (and cached: windows
 * repeat, such as ".\n\n" between paragraphs). When no cut is near, the caller encodes.
 */

/** How far to look for a cut on either side of a boundary. */
const REACH = 48;

/** A piece as the counter sees it: a span, its count, and whether that count is exact. */
export interface Counted {
  start: number;
  end: number;
  tokens: number;
  exact: boolean;
}

const isAsciiAlnum = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const LETTER_OR_NUMBER = /^[\p{L}\p{N}]$/u;
const CONTINUES_WORD = /^[\p{L}\p{N}\p{M}']$/u;

/** The code point that ends at `q` (a lone surrogate as itself). */
function codePointBefore(text: string, q: number): string {
  const low = text.charCodeAt(q - 1);
  const high = text.charCodeAt(q - 2);
  return low >= 0xdc00 && low <= 0xdfff && high >= 0xd800 && high <= 0xdbff ? text.slice(q - 2, q) : text.charAt(q - 1);
}

/** True when the pre-split cuts at `q` in any text that holds the characters on both sides. */
function isCut(text: string, q: number): boolean {
  const before = text.charCodeAt(q - 1);
  const at = text.charCodeAt(q);
  if (before < 128 && at < 128) {
    if (isAsciiAlnum(before)) return !isAsciiAlnum(at) && at !== 0x27;
    if (before === 0x0a || before === 0x0d) return !isWhitespace(at) && at !== 0x2f;
    return false;
  }
  if (before === 0x0a || before === 0x0d) return !isWhitespace(at);
  if (isWhitespace(before) || !LETTER_OR_NUMBER.test(codePointBefore(text, q))) return false;
  // `at` may be a high surrogate: test the whole code point.
  return !CONTINUES_WORD.test(String.fromCodePoint(text.codePointAt(q) ?? 0));
}

/** True when pieces meeting at `m` count the same apart as together. */
function isCleanJoin(text: string, m: number): boolean {
  const before = text.charCodeAt(m - 1);
  const at = text.charCodeAt(m);
  if (isWhitespace(before) || !isWhitespace(at)) return isCut(text, m);
  // A line break joins a punctuation part; after a letter or number it starts its own.
  if (at === 0x0a || at === 0x0d) return isAsciiAlnum(before) || LETTER_OR_NUMBER.test(codePointBefore(text, m));
  return true;
}

export type SpanTokens = (items: readonly Counted[], from: number, to: number, start: number) => number | null;

/**
 * Exact tokens of `text.slice(start, items[to - 1].end)`, where items[from..to) are adjacent and
 * `start` skips only leading whitespace of items[from]; null when that cannot be derived.
 */
export function spanTokens(text: string, count: TextCounter): SpanTokens {
  const cache = new Map<string, number>();
  const small = (a: number, b: number): number => {
    const s = text.slice(a, b);
    let n = cache.get(s);
    if (n === undefined) {
      n = count(s);
      if (cache.size >= 50_000) cache.clear();
      cache.set(s, n);
    }
    return n;
  };
  const cutAfter = (from: number, limit: number): number => {
    const stop = Math.min(limit, from + REACH);
    for (let g = from + 1; g <= stop; g++) if (g === limit || isCut(text, g)) return g;
    return -1;
  };
  const cutBefore = (m: number, floor: number): number => {
    const stop = Math.max(floor + 1, m - REACH);
    for (let q = m - 1; q >= stop; q--) if (isCut(text, q)) return q;
    return -1;
  };

  return (items, from, to, start) => {
    const first = items[from];
    const last = items[to - 1];
    if (!first || !last || !first.exact || start >= first.end) return null;
    if (isWhitespace(text.charCodeAt(last.end - 1))) return null;
    let total = first.tokens;
    let windowEnd = start;
    if (start > first.start) {
      // Leading whitespace dropped: recount the head up to the first cut, with and without it.
      const g = cutAfter(start, first.end);
      if (g < 0) return null;
      total += small(start, g) - small(first.start, g);
      windowEnd = g;
    }
    let prevStart = start;
    for (let k = from + 1; k < to; k++) {
      const item = items[k]!;
      if (!item.exact) return null;
      total += item.tokens;
      const m = item.start;
      if (isCleanJoin(text, m)) {
        if (m < windowEnd) return null;
        windowEnd = m;
      } else {
        const q = cutBefore(m, prevStart);
        const g = cutAfter(m, item.end);
        if (q < 0 || g < 0 || q < windowEnd) return null;
        total += small(q, g) - small(q, m) - small(m, g);
        windowEnd = g;
      }
      prevStart = m;
    }
    return total;
  };
}
