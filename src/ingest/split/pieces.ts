import { type CutFinder, clauseCuts, paragraphCuts, wordCuts } from "./boundaries";
import { codePointCuts, graphemeCuts, segmentCuts } from "./graphemes";
import { type SpanTokens, spanTokens } from "./exact";
import { sentenceCuts } from "./sentences";

/** Counts the tokens of one string. */
export type TextCounter = (text: string) => number;

/**
 * A unit the merge packs into chunks: a span; its token count, `exact` or else the sum of its
 * parts' counts; and the level its span is cut at when it must be broken up further.
 */
export interface Piece {
  start: number;
  end: number;
  tokens: number;
  exact: boolean;
  level: number;
}

/** Leaves up to this many characters have their counts cached. */
const SHORT_LEAF = 32;

interface Node extends Piece {
  parts: Node[] | null;
}

// LlamaIndex's order: paragraph, sentence, clause, word, character (here: segments of clusters,
// then clusters, then code points).
const levels = (segmentUnits: number): readonly CutFinder[] => [
  paragraphCuts,
  sentenceCuts,
  clauseCuts,
  wordCuts,
  segmentCuts(segmentUnits),
  graphemeCuts,
  codePointCuts,
];

export interface CutterSettings {
  /** Tokens a piece may hold. */
  budget: number;
  /** Spans up to this many characters are encoded whole; longer ones are measured by parts. */
  leafChars: number;
  /** Code units per segment when a single word must be cut. */
  segmentUnits: number;
}

export interface PieceCutter {
  /** Pieces of at most `budget` tokens each (by their counts), in order, covering [start, end). */
  collect(start: number, end: number): Piece[];
  /** The smaller pieces a piece breaks into when, in its chunk, it does not fit; [] if it cannot. */
  refine(piece: Piece): Piece[];
  /** Exact tokens of adjacent pieces from `start`, derived without encoding where possible. */
  spanTokens: SpanTokens;
}

/**
 * As LlamaIndex's `_split`: a span that fits is one piece, otherwise it is cut at the first level
 * that cuts it and each part is treated the same way. Unlike it, nothing is encoded twice: a span
 * longer than `leafChars` is not encoded whole but measured as the sum of its parts, so each
 * character is encoded once, and once more only inside a short span that turned out too large.
 */
export function pieceCutter(
  text: string,
  count: TextCounter,
  { budget, leafChars, segmentUnits }: CutterSettings,
): PieceCutter {
  const LEVELS = levels(segmentUnits);
  const sumOf = spanTokens(text, count);
  // Short leaves (words, above all) repeat: a map lookup is far cheaper than a tokenizer call.
  const cache = new Map<string, number>();
  const countLeaf = (s: number, e: number): number => {
    const leafText = text.slice(s, e);
    if (e - s > SHORT_LEAF) return count(leafText);
    let tokens = cache.get(leafText);
    if (tokens === undefined) {
      tokens = count(leafText);
      if (cache.size >= 100_000) cache.clear();
      cache.set(leafText, tokens);
    }
    return tokens;
  };
  const measure = (s: number, e: number, level: number): Node => {
    if (e - s <= leafChars) return leaf(s, e, level);
    return cut(s, e, level) ?? leaf(s, e, LEVELS.length);
  };
  const leaf = (s: number, e: number, level: number): Node => ({
    start: s,
    end: e,
    level,
    tokens: countLeaf(s, e),
    exact: true,
    parts: null,
  });
  const cut = (s: number, e: number, from: number): Node | null => {
    for (let level = from; level < LEVELS.length; level++) {
      const cuts = LEVELS[level]!(text, s, e);
      if (cuts.length === 0) continue;
      cuts.push(e);
      const parts: Node[] = [];
      let sum = 0;
      let a = s;
      for (const b of cuts) {
        const part = measure(a, b, level + 1);
        sum += part.tokens;
        parts.push(part);
        a = b;
      }
      const exact = sumOf(parts, 0, parts.length, s);
      return { start: s, end: e, level, tokens: exact ?? sum, exact: exact !== null, parts };
    }
    return null;
  };
  const emit = (node: Node, out: Piece[]): void => {
    if (node.tokens <= budget) {
      out.push({ start: node.start, end: node.end, tokens: node.tokens, exact: node.exact, level: node.level });
      return;
    }
    const parts = node.parts ?? cut(node.start, node.end, node.level)?.parts;
    if (!parts) throw new Error(`one code point exceeds ${budget} tokens`);
    for (const part of parts) emit(part, out);
  };
  return {
    collect(start, end) {
      const out: Piece[] = [];
      if (end > start) emit(measure(start, end, 0), out);
      return out;
    },
    spanTokens: sumOf,
    refine(piece) {
      const out: Piece[] = [];
      for (const part of cut(piece.start, piece.end, piece.level)?.parts ?? []) emit(part, out);
      return out;
    },
  };
}
