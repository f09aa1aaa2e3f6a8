import type { CutFinder } from "./boundaries";
import { splitsSurrogatePair } from "./spans";

/*
 * The character level, for a single "word" too large for a chunk (a 50,000-character token, a run
 * of CJK without punctuation). LlamaIndex cuts such a word into single characters; we cut it into
 * segments of a few dozen code units (fewer pieces, closer token estimates), at grapheme cluster
 * boundaries so that a ZWJ emoji sequence or a letter with its combining marks stays whole, and
 * only where a single cluster is itself too large, at code point boundaries (never inside a
 * surrogate pair).
 */

/** Most code units per character-level segment; fewer when the overlap is small (see core). */
export const MAX_SEGMENT_UNITS = 64;

let segmenter: Intl.Segmenter | undefined;
// Created on first use: nothing is built at start-up, and most text never needs it.
const graphemes = () => (segmenter ??= new Intl.Segmenter(undefined, { granularity: "grapheme" }));

/** Segments of at most `units` code units, cut at grapheme boundaries where one is near. */
export function segmentCuts(units: number): CutFinder {
  return (text, start, end) => {
    const cuts: number[] = [];
    if (end - start <= units) return cuts;
    const slice = text.slice(start, end);
    const clusters = graphemes().segment(slice);
    let at = 0;
    while (slice.length - at > units) {
      const target = at + units;
      // Cut where the cluster that holds `target` starts. When that is not past `at`, one cluster
      // spans the whole segment: keep it whole (a long ZWJ sequence) unless it is absurdly long
      // (thousands of combining marks), which is cut at a code point.
      const cluster = clusters.containing(target);
      let cut = cluster?.index ?? target;
      if (cut <= at) {
        const clusterEnd = cluster ? cluster.index + cluster.segment.length : target;
        cut = clusterEnd - at <= MAX_SEGMENT_UNITS ? clusterEnd : codePointBoundary(slice, target);
      }
      if (cut >= slice.length) break;
      cuts.push(start + cut);
      at = cut;
    }
    return cuts;
  };
}

/** Every grapheme cluster boundary. */
export const graphemeCuts: CutFinder = (text, start, end) => {
  const cuts: number[] = [];
  for (const { index } of graphemes().segment(text.slice(start, end))) {
    if (index > 0) cuts.push(start + index);
  }
  return cuts;
};

/** Every code point boundary. */
export const codePointCuts: CutFinder = (text, start, end) => {
  const cuts: number[] = [];
  for (let i = start + 1; i < end; i++) if (!splitsSurrogatePair(text, i)) cuts.push(i);
  return cuts;
};

function codePointBoundary(text: string, index: number): number {
  return splitsSurrogatePair(text, index) ? index - 1 : index;
}
