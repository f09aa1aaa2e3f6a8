import { isWhitespace } from "./spans";

/**
 * Cut finders: each returns the ascending offsets strictly inside (start, end) where the span is
 * cut. A cut is placed right after the last non-whitespace character of a part, so whitespace
 * always leads the next part (" Next sentence"), as the tokenizers attach a space to the word
 * after it: counting the parts one by one then sums to (nearly) the count of the whole.
 */
export type CutFinder = (text: string, start: number, end: number) => number[];

/**
 * Cuts before every whitespace run that holds `blankLines` or more consecutive blank lines
 * (spaces, tabs and CRs on them allowed).
 */
export function blankLineCuts(blankLines: number): CutFinder {
  const pattern = new RegExp(`\\n(?:[^\\S\\n]*\\n){${blankLines},}`, "g");
  return (text, start, end) => {
    const cuts: number[] = [];
    const slice = text.slice(start, end);
    pattern.lastIndex = 0;
    for (let m = pattern.exec(slice); m; m = pattern.exec(slice)) {
      let cut = start + m.index;
      while (cut > start && isWhitespace(text.charCodeAt(cut - 1))) cut--;
      // Skip the rest of this whitespace run, so a long run of blank lines costs one pass.
      let next = start + m.index + m[0].length;
      while (next < end && isWhitespace(text.charCodeAt(next))) next++;
      pattern.lastIndex = next - start;
      if (cut > start && next < end && cut > (cuts[cuts.length - 1] ?? start)) cuts.push(cut);
    }
    return cuts;
  };
}

/**
 * Paragraphs, as LlamaIndex's default separator "\n\n\n" has them: two blank lines or more. A
 * single blank line ends a sentence instead (see sentences.ts), so text is still cut there.
 */
export const paragraphCuts: CutFinder = blankLineCuts(2);

// LlamaIndex's secondary chunking regex `[^,.;。？！]+[,.;。？！]?`, plus the full-width comma,
// semicolon and ideographic comma, which CJK text uses between clauses.
const CLAUSE_END = new Set([..."，；、,.;。？！"].map((c) => c.charCodeAt(0)));

const isDigit = (code: number) => code >= 0x30 && code <= 0x39;

/** Clauses: cut after each run of clause punctuation, except a point or comma inside a number. */
export const clauseCuts: CutFinder = (text, start, end) => {
  const cuts: number[] = [];
  for (let i = start; i < end - 1; i++) {
    const code = text.charCodeAt(i);
    if (!CLAUSE_END.has(code) || CLAUSE_END.has(text.charCodeAt(i + 1))) continue;
    if ((code === 0x2e || code === 0x2c) && i > start && isDigit(text.charCodeAt(i - 1)) && isDigit(text.charCodeAt(i + 1))) {
      continue;
    }
    cuts.push(i + 1);
  }
  return cuts;
};

/** Words: cut before every whitespace run that has a non-whitespace character on both sides. */
export const wordCuts: CutFinder = (text, start, end) => {
  const cuts: number[] = [];
  let pending = -1;
  let seenWord = false;
  for (let i = start; i < end; i++) {
    if (isWhitespace(text.charCodeAt(i))) {
      if (seenWord && pending < 0) pending = i;
    } else {
      if (pending >= 0) cuts.push(pending);
      pending = -1;
      seenWord = true;
    }
  }
  return cuts;
};
