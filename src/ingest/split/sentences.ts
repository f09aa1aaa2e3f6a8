import { blankLineCuts, type CutFinder } from "./boundaries";
import { isWhitespace } from "./spans";

/*
 * Sentence boundaries without NLTK: a terminator run (. ! ? …), optional closing quotes or
 * brackets, then whitespace; or a CJK full stop (。！？), which needs no space after it. A
 * candidate is not a boundary when the next word starts in lower case, or when the word before a
 * single period is a known abbreviation ("et al.", "e.g.", "Fig."), an initial ("J. Smith") or a
 * dotted abbreviation ("U.S."). Decimals never match: a point inside "3.14" has no space after it.
 * A blank line ends a sentence too (a heading, a list item), where NLTK's Punkt would run on.
 * A regex, not Intl.Segmenter: the segmenter is about as fast, but ICU's rules cut after "e.g.",
 * "Mr." and initials ("J. R. R. Tolkien"), and take no list of abbreviations.
 */
const TERMINATOR = /(?:[.!?…]+["'”’»)\]]*(?=\s)|[。！？｡]+["'”’」』）】》]*)/g;

const ABBREVIATIONS = new Set(
  (
    "al e.g i.e cf vs viz fig figs eq eqs ref refs tab tabs sec secs ch chap vol vols no nos pp p ed eds " +
    "dr mr mrs ms mx prof sr jr st mt inc ltd co corp dept univ approx ca resp esp op cit ibid " +
    "jan feb mar apr jun jul aug sep sept oct nov dec gen col lt capt rev suppl ser art para"
  ).split(" "),
);

// Opening punctuation that may stand before the abbreviation: "(e.g." or "[Fig.".
const WORD_OPENERS = new Set([..."([{\"'“‘«"].map((c) => c.charCodeAt(0)));
const INITIAL = /^\p{Lu}$/u;
const DOTTED = /^(?:\p{L}{1,2}\.)+\p{L}{1,2}$/u;
const LOWER = /^\p{Ll}/u;
const MAX_ABBREVIATION = 12;

const blankLines = blankLineCuts(1);

/** Sentences: cut after each terminator that ends a sentence (before the whitespace after it). */
export const sentenceCuts: CutFinder = (text, start, end) => mergeSorted(terminatorCuts(text, start, end), blankLines(text, start, end));

const terminatorCuts: CutFinder = (text, start, end) => {
  const cuts: number[] = [];
  const slice = text.slice(start, end);
  TERMINATOR.lastIndex = 0;
  for (let m = TERMINATOR.exec(slice); m; m = TERMINATOR.exec(slice)) {
    const cut = start + m.index + m[0].length;
    if (cut >= end) break;
    const cjk = !isAsciiTerminator(m[0].charCodeAt(0));
    if (!cjk && !endsSentence(text, start, start + m.index, m[0], cut, end)) continue;
    if (cut > start + m.index && cut > (cuts[cuts.length - 1] ?? start)) cuts.push(cut);
  }
  return cuts;
};

function isAsciiTerminator(code: number): boolean {
  return code === 0x2e || code === 0x21 || code === 0x3f || code === 0x2026;
}

function endsSentence(text: string, spanStart: number, at: number, match: string, cut: number, end: number): boolean {
  let next = cut;
  while (next < end && isWhitespace(text.charCodeAt(next))) next++;
  if (next < end && LOWER.test(text.slice(next, next + 2))) return false;
  const single = match.charCodeAt(0) === 0x2e && (match.length === 1 || match.charCodeAt(1) !== 0x2e);
  if (!single) return true;
  let from = at;
  const limit = Math.max(spanStart, at - MAX_ABBREVIATION);
  while (from > limit && !isWhitespace(text.charCodeAt(from - 1)) && !WORD_OPENERS.has(text.charCodeAt(from - 1))) from--;
  const word = text.slice(from, at);
  if (word === "" || (from === limit && limit > spanStart)) return true;
  return !(ABBREVIATIONS.has(word.toLowerCase()) || INITIAL.test(word) || DOTTED.test(word));
}

function mergeSorted(a: number[], b: number[]): number[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const next = j >= b.length || (i < a.length && a[i]! <= b[j]!) ? a[i++]! : b[j++]!;
    if (next !== out[out.length - 1]) out.push(next);
  }
  return out;
}
