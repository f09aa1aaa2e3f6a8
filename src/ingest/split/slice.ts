import { type CoreSplitOptions, splitSpanWith } from "./core";
import type { Chunk } from "./merge";
import type { TextCounter } from "./pieces";

/** Characters of text one ingest slice splits: a slice runs without yielding, so this bounds how long other requests on the isolate can wait (8K: a request waits under 100 ms at p95 while 10 MB of one character ingests; 64K held it for hundreds: bench/README.md). */
export const DEFAULT_SLICE_CHARS = 8 * 1024;

/** One slice's work: its chunks (offsets into the whole text), where the next slice starts, the tokens it counted. */
export interface Slice {
  chunks: Chunk[];
  /** The end of the span this slice split: [from, end) is at most `sliceChars` long. */
  end: number;
  /** Where the next slice starts; null when this one reached the end of the text. */
  next: number | null;
  /** Tokens of [countFrom, end): spans that meet end to end, so the slices' counts add up to the document's. */
  tokens: number;
}

/**
 * Splits at most `sliceChars` of `text` from `from`, so a long document is split in bounded steps
 * that each can be stored and recorded before the next begins. A slice that does not reach the end
 * leaves out its last chunk (the one the span's end may have cut short; not even counted) and the
 * next slice starts where that chunk starts: it begins with the overlap carried from the one
 * before, so the overlap survives the seam. Tokens are counted from `countFrom` (the previous slice's end) to this
 * slice's end, which falls where no pre-token spans it. A document within one slice is split exactly as `splitTextWith` does.
 * Deterministic in `from`: a slice redone after a crash yields the same chunks.
 */
export function splitSlice(
  text: string,
  from: number,
  count: TextCounter,
  options: CoreSplitOptions & { sliceChars?: number },
  countFrom = from,
): Slice {
  const sliceChars = options.sliceChars ?? DEFAULT_SLICE_CHARS;
  const final = text.length - from <= sliceChars;
  const end = final ? text.length : sliceEnd(text, from, from + sliceChars);
  const span = text.slice(from, end);
  // A slice that does not reach the end leaves its last chunk unclosed (not counted: the next
  // slice splits it again) and answers where it starts.
  const merged = splitSpanWith(span, count, options, !final);
  const chunks = merged.chunks.map((c) => ({ ...c, start: c.start + from, end: c.end + from }));
  const tokens = count(text.slice(countFrom, end));
  if (final) return { chunks, end, next: null, tokens };
  if (merged.tail !== null) return { chunks, end, next: from + merged.tail, tokens };
  // Closed all (its tail was blank, or it would be the only chunk): two or more chunks, redo the
  // last from its start; fewer, nothing to redo (the seam loses its overlap).
  const keep = chunks.length >= 2 ? chunks.slice(0, -1) : chunks;
  const next = chunks.length >= 2 ? chunks.at(-1)!.start : end;
  return { chunks: keep, end, next, tokens };
}

/**
 * Where a slice ends: before a space that follows a non-space in the last quarter of the span (a
 * pre-token never spans that point, so the slices' token counts add up), else at `at`, moved off
 * the middle of a surrogate pair.
 */
function sliceEnd(text: string, from: number, at: number): number {
  const floor = at - ((at - from) >> 2);
  for (let i = at; i > floor; i--) {
    if (text.charCodeAt(i) === 0x20 && !isSpace(text.charCodeAt(i - 1))) return i;
  }
  const c = text.charCodeAt(at);
  return c >= 0xdc00 && c <= 0xdfff ? at - 1 : at;
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0 || c === 0x3000;
}
