/**
 * Deterministic English-like prose with citations, in three shapes: short paragraphs between
 * blank lines; PDF-like pages, one long paragraph each, joined by blank lines; and pages whose
 * lines are wrapped with single line breaks, joined by a single line break too (no blank line
 * anywhere: the shape llamaindex's splitter handles in linear time).
 */

export type CorpusShape = "paragraphs" | "pages" | "wrapped-pages";

export const CORPUS_SHAPES: readonly CorpusShape[] = ["paragraphs", "pages", "wrapped-pages"];

/** mulberry32: a small seeded generator, so every run sees the same text. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  "the of and to in a is that for it as was with be by on not he this are or his from at which but have an they " +
  "you were her she there been one all we their has would when if can what more also into some time other than its " +
  "only new these two may first then do any like my now over such our man me even most made after also did many " +
  "model models data training learning results method methods performance network networks language evaluation " +
  "distillation teacher student dataset datasets retrieval accuracy baseline baselines experiment experiments " +
  "analysis approach approaches task tasks layer layers attention representation representations parameters " +
  "fine-tuning inference benchmark benchmarks prior work study studies sample samples signal noise structure " +
  "significant substantially consistently however therefore moreover whereas although furthermore because " +
  "improves reduces increases shows suggests demonstrates indicates observes reports proposes extends compares"
).split(" ");
const AUTHORS = "Smith Johnson Lee Garcia Chen Müller Rossi Tanaka Kowalski Dubois Novak Silva Okafor Ivanova".split(" ");
const ABBREVIATED = ["e.g. ", "i.e. ", "cf. ", "Fig. ", "Eq. ", "Sec. "];

function pick<T>(rnd: () => number, items: readonly T[]): T {
  // Squared draw: a Zipf-like skew toward the first (most common) words.
  const u = rnd();
  return items[Math.floor(u * u * items.length)]!;
}

function sentence(rnd: () => number): string {
  const n = 6 + Math.floor(rnd() * 22);
  const words: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = rnd();
    if (r < 0.03) words.push(pick(rnd, ABBREVIATED).trim() + ` ${1 + Math.floor(rnd() * 9)}`);
    else if (r < 0.05) words.push(`${(rnd() * 100).toFixed(2)}%`);
    else words.push(pick(rnd, WORDS) + (rnd() < 0.06 ? "," : ""));
  }
  const first = words[0]!;
  words[0] = first.charAt(0).toUpperCase() + first.slice(1);
  let text = words.join(" ").replace(/,$/, "");
  const c = rnd();
  if (c < 0.12) text += ` (${pick(rnd, AUTHORS)} et al., ${2015 + Math.floor(rnd() * 10)})`;
  else if (c < 0.18) text = `${pick(rnd, AUTHORS)} et al. (${2015 + Math.floor(rnd() * 10)}) ${text.charAt(0).toLowerCase()}${text.slice(1)}`;
  return text + (rnd() < 0.05 ? "?" : ".");
}

function paragraph(rnd: () => number, sentences: number): string {
  const out: string[] = [];
  for (let i = 0; i < sentences; i++) out.push(sentence(rnd));
  return out.join(" ");
}

function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join("\n");
}

/** About `bytes` characters of text of the given shape (ASCII-dominated, so bytes ≈ characters). */
export function makeCorpus(shape: CorpusShape, bytes: number, seed = 42): string {
  const rnd = seededRandom(seed);
  const parts: string[] = [];
  let length = 0;
  while (length < bytes) {
    let part: string;
    if (shape === "paragraphs") part = paragraph(rnd, 2 + Math.floor(rnd() * 5));
    else if (shape === "pages") part = paragraph(rnd, 25 + Math.floor(rnd() * 20));
    else part = wrap(paragraph(rnd, 25 + Math.floor(rnd() * 20)), 72 + Math.floor(rnd() * 20));
    parts.push(part);
    length += part.length + 2;
  }
  return parts.join(shape === "wrapped-pages" ? "\n" : "\n\n").slice(0, bytes);
}
