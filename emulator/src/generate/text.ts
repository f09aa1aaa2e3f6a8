/** Word and sentence utilities for the extractive generator. */

export const STOPWORDS = new Set(
  (
    "a an the and or but if then else of to in on at by for with from into onto about as is are was were be been being " +
    "this that these those it its it's they them their there here what which who whom whose when where why how " +
    "do does did done have has had not no nor so than too very can could should would will shall may might must " +
    "i me my we our you your he him his she her all any each few more most other some such only own same just also " +
    "up down out over under again further once both between through during before after above below off per via " +
    "text following given please use using based answer question questions context provide provided return json"
  ).split(" "),
);

/** Lowercase word tokens (letters, digits, inner apostrophes and hyphens). */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu) ?? [];
}

/** Words that carry meaning: not stopwords, longer than one character. */
export function contentWords(text: string): string[] {
  return words(text).filter((w) => w.length > 1 && !STOPWORDS.has(w));
}

/** Splits identifiers like `length_seconds` or `publishedYear` into lowercase words. */
export function identifierWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

const ABBREVIATIONS = new Set(["al", "e.g", "i.e", "etc", "fig", "figs", "dr", "mr", "mrs", "ms", "prof", "vs", "no", "eq", "eqs", "sec", "ch", "vol", "pp", "cf", "approx", "inc", "ltd", "st", "jr", "sr"]);

/** Removes fenced code blocks: schemas and examples are instructions, not content. */
export function stripCodeFences(text: string): string {
  return text.replace(/```[\s\S]*?(?:```|$)/g, "\n");
}

/**
 * Splits prose into sentences: by line first (list items, headings), then at . ! ? followed
 * by space, except after abbreviations such as "et al." and initials.
 */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  for (const rawLine of stripCodeFences(text).split(/\n+/)) {
    const line = rawLine.replace(/^\s*(?:[-*•>#]+|\d+[.)])\s+/, "").trim();
    if (!line) continue;
    let start = 0;
    const boundary = /[.!?]+["'”’)\]]*\s+/g;
    for (let m = boundary.exec(line); m; m = boundary.exec(line)) {
      const before = line.slice(start, m.index);
      const lastWord = (/([\p{L}.]+)$/u.exec(before)?.[1] ?? "").toLowerCase();
      const next = line[m.index + m[0].length] ?? "";
      if (m[0].startsWith(".") && (ABBREVIATIONS.has(lastWord) || /^\p{Lu}$/u.test(lastWord) || /^[a-z]$/.test(lastWord))) continue;
      if (next && /[\p{Ll}]/u.test(next)) continue;
      out.push(line.slice(start, m.index + m[0].trimEnd().length).trim());
      start = m.index + m[0].length;
    }
    const rest = line.slice(start).trim();
    if (rest) out.push(rest);
  }
  return out.filter((s) => /[\p{L}]/u.test(s));
}

/** Word overlap between two word sets. */
export function overlap(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let n = 0;
  for (const w of a) if (b.has(w)) n++;
  return n;
}

/** Cuts text to at most `max` characters at a word boundary. */
export function truncateWords(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const space = cut.lastIndexOf(" ");
  return (space > max / 2 ? cut.slice(0, space) : cut).trim();
}

/** "the big idea" → "The Big Idea" (small words stay lowercase inside). */
export function titleCase(text: string): string {
  const small = new Set(["a", "an", "the", "and", "or", "of", "in", "on", "for", "to", "with", "by", "at"]);
  return text
    .split(/\s+/)
    .map((w, i) => (i > 0 && small.has(w.toLowerCase()) ? w.toLowerCase() : w.charAt(0).toUpperCase() + w.slice(1)))
    .join(" ");
}

const NUMBER_WORDS: Record<string, number> = { one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12, fifteen: 15, twenty: 20 };

/**
 * The count a request asks for: "Generate 5 questions", "give me three examples". The
 * number must follow a request verb in the same sentence, so prose ("Side two ends") is ignored.
 */
export function askedCount(text: string): { count: number; noun: string } | null {
  const re =
    /\b(?:generate|write|create|produce|list|give|return|provide|extract|ask|make|propose|suggest|output|come up with|find|identify|select|pick|choose|include|draft|set ?up|prepare|exactly)\b[^.?!\n]{0,40}?\b(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty)\s+(?:[a-z-]+\s+){0,3}?([a-z]+s)\b/gi;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const raw = (m[1] ?? "").toLowerCase();
    const count = NUMBER_WORDS[raw] ?? Number(raw);
    const noun = (m[2] ?? "").toLowerCase();
    if (count >= 1 && count <= 50 && !STOP_NOUNS.has(noun)) return { count, noun };
  }
  return null;
}

const STOP_NOUNS = new Set(["years", "days", "hours", "minutes", "seconds", "times", "percent", "tokens", "words", "characters", "sentences", "lines"]);

/** Singular form for loose noun matching ("questions" ~ "question", "citations" ~ "citation"). */
export function singular(word: string): string {
  if (word.endsWith("ies")) return word.slice(0, -3) + "y";
  if (word.endsWith("ses") || word.endsWith("xes")) return word.slice(0, -2);
  if (word.endsWith("s") && !word.endsWith("ss")) return word.slice(0, -1);
  return word;
}
