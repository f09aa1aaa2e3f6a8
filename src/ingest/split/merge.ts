import type { Piece, PieceCutter, TextCounter } from "./pieces";
import { trimSpan } from "./spans";

/** One chunk: `text === source.slice(start, end)`, `tokens` its exact count (metadata excluded). */
export interface Chunk {
  text: string;
  start: number;
  end: number;
  tokens: number;
}

export interface MergeSettings {
  /** Tokens a chunk's text may hold (chunk size less the embedded metadata). */
  budget: number;
  /** Tokens of the previous chunk's last whole pieces that start the next chunk. */
  overlap: number;
  /** What is embedded before each chunk's text (metadata and separator), and its tokens. */
  prefix?: { text: string; tokens: number };
  /**
   * The text goes on past its end (an ingest slice): the last chunk, which the end may cut short,
   * is not closed but answered as `tail` (where it would start), so it is neither counted nor
   * carried here; the next slice starts there. Closed as usual when it would be the only chunk.
   */
  openEnd?: boolean;
}

/** Chunks, and where the unclosed last chunk starts when the text has an open end (else null). */
export interface Merged {
  chunks: Chunk[];
  tail: number | null;
}

/**
 * LlamaIndex's `_merge`: fill a chunk with pieces while their counts fit the budget, close it,
 * start the next with the previous chunk's last whole pieces up to `overlap` tokens. Counts of
 * pieces add up to an estimate (BPE of a concatenation can differ from the sum of its parts), so
 * each chunk, and each overlap, is counted exactly as it closes (derived from its pieces, see
 * exact.ts, or else encoded once); the rare one over its limit gives its last piece back to the
 * next chunk (or drops overlap, or has its one piece refined).
 * Two departures, both for the size guarantee: overlap that would push the next piece over the
 * budget is dropped from the front (LlamaIndex keeps it and overflows), and the overlap never
 * holds the whole previous chunk.
 */
export function mergePieces(
  text: string,
  pieces: readonly Piece[],
  count: TextCounter,
  cutter: PieceCutter,
  { budget, overlap, prefix, openEnd = false }: MergeSettings,
): Merged {
  const chunks: Chunk[] = [];
  const returned: Piece[] = []; // pieces given back, taken again before the next of `pieces`
  let next = 0;
  let cur: Piece[] = [];
  let curTokens = 0;
  let fresh = 0; // pieces in `cur` that are not overlap
  let coveredTo = 0; // end of the last emitted chunk

  const reset = (keep: Piece[], tokens: number) => {
    cur = keep;
    curTokens = tokens;
    fresh = 0;
  };

  const carryOverlap = () => {
    // Never the first piece: the next chunk must reach past this one.
    let from = cur.length;
    let tokens = 0;
    while (from > 1 && tokens + cur[from - 1]!.tokens <= overlap) tokens += cur[--from]!.tokens;
    while (from < cur.length) {
      const [a, b] = trimSpan(text, cur[from]!.start, cur[cur.length - 1]!.end);
      const exact = a === b ? 0 : (cutter.spanTokens(cur, from, cur.length, a) ?? count(text.slice(a, b)));
      if (exact <= overlap) break;
      tokens -= cur[from++]!.tokens;
    }
    reset(cur.slice(from), tokens);
  };

  const close = () => {
    for (;;) {
      const [a, b] = trimSpan(text, cur[0]!.start, cur[cur.length - 1]!.end);
      // Blank (a run of whitespace cut at the character level), or nothing new: emit nothing.
      if (a === b || b <= coveredTo) return reset([], 0);
      const tokens = cutter.spanTokens(cur, 0, cur.length, a) ?? count(text.slice(a, b));
      // After the prefix's closing line break, o200k's pre-split can join a leading "/" to the
      // prefix's last punctuation: only then is the embedded count not prefix + chunk.
      const used =
        prefix && text.charCodeAt(a) === 0x2f ? count(prefix.text + text.slice(a, b)) - prefix.tokens : tokens;
      if (used <= budget) {
        chunks.push({ text: text.slice(a, b), start: a, end: b, tokens });
        coveredTo = b;
        return carryOverlap();
      }
      if (fresh > 1) {
        // Give back trailing pieces worth the excess (at least one), keeping one fresh piece.
        let excess = used - budget;
        while (fresh > 1 && excess > 0) {
          const last = cur.pop()!;
          returned.push(last);
          curTokens -= last.tokens;
          excess -= last.tokens;
          fresh--;
        }
      } else if (cur.length > 1) {
        curTokens -= cur.shift()!.tokens;
      } else {
        const parts = cutter.refine(cur[0]!);
        if (parts.length < 2) throw new Error(`cannot fit the text at ${a}-${b} into ${budget} tokens`);
        for (let i = parts.length - 1; i >= 0; i--) returned.push(parts[i]!);
        return reset([], 0);
      }
    }
  };

  for (;;) {
    const piece = returned.pop() ?? pieces[next++];
    if (!piece) {
      if (fresh > 0) {
        if (openEnd && chunks.length > 0) {
          // Counting it would be wasted: the next slice splits it again from its start.
          const [a, b] = trimSpan(text, cur[0]!.start, cur[cur.length - 1]!.end);
          if (a < b && b > coveredTo) return { chunks, tail: a };
        }
        close();
        continue;
      }
      break;
    }
    if (curTokens + piece.tokens > budget) {
      returned.push(piece);
      if (fresh > 0) close();
      else if (cur.length > 0) curTokens -= cur.shift()!.tokens;
      else throw new Error(`a piece of ${piece.tokens} tokens exceeds the budget of ${budget}`);
      continue;
    }
    cur.push(piece);
    curTokens += piece.tokens;
    fresh++;
  }
  return { chunks, tail: null };
}
