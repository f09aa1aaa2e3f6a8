import { STOPWORDS } from "./text";

/** An author-year citation found in the context. */
export interface Citation {
  author: string;
  year: number;
  /** The sentence it appears in. */
  sentence: string;
}

const NAME = String.raw`\p{Lu}[\p{L}'’-]+`;
const AUTHORS = String.raw`${NAME}(?:\s+(?:and|&)\s+${NAME}|(?:,\s*${NAME})*,?\s+(?:and|&)\s+${NAME})?(?:\s+et\s+al\.?)?`;
/** "Touvron et al. (2023)", "Brown and Smith (2020)", "Lee (2019a)". */
const NARRATIVE = new RegExp(String.raw`(${AUTHORS})\s*\((\d{4})[a-z]?\)`, "gu");
/** "(Lin et al., 2021; Wei et al., 2022)", "(Smith 2020)". */
const PARENTHETICAL = /\(([^()]*?\d{4}[a-z]?[^()]*?)\)/g;
const PART = new RegExp(String.raw`^(?:see\s+|e\.g\.,?\s+|cf\.\s+)?(${AUTHORS}),?\s+(\d{4})[a-z]?$`, "u");

const NOT_NAMES = new Set([...STOPWORDS, "table", "figure", "section", "chapter", "appendix", "eq", "in", "since", "until", "during", "between"]);

function plausible(author: string): boolean {
  const first = author.split(/[\s,]+/)[0] ?? "";
  return !NOT_NAMES.has(first.toLowerCase());
}

/** Author-year citations in order of appearance, deduplicated; `sentences` locate each one. */
export function findCitations(text: string, sentences: readonly string[]): Citation[] {
  const found: Array<{ author: string; year: number; at: number }> = [];
  for (const m of text.matchAll(NARRATIVE)) {
    const author = (m[1] ?? "").replace(/\s+/g, " ").trim();
    if (plausible(author)) found.push({ author, year: Number(m[2]), at: m.index ?? 0 });
  }
  for (const m of text.matchAll(PARENTHETICAL)) {
    for (const part of (m[1] ?? "").split(";")) {
      const p = PART.exec(part.trim());
      if (p && plausible(p[1] ?? "")) found.push({ author: (p[1] ?? "").replace(/\s+/g, " ").trim(), year: Number(p[2]), at: m.index ?? 0 });
    }
  }
  found.sort((a, b) => a.at - b.at);
  const seen = new Set<string>();
  const out: Citation[] = [];
  for (const f of found) {
    const key = `${f.author.toLowerCase()}|${f.year}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const surname = f.author.split(/\s+/)[0] ?? f.author;
    const sentence = sentences.find((s) => s.includes(surname) && s.includes(String(f.year))) ?? sentences.find((s) => s.includes(surname)) ?? "";
    out.push({ author: f.author, year: f.year, sentence });
  }
  return out;
}

/** Person-like names: "by John Smith", "The Beatles", or capitalised First Last pairs. */
export function findNames(text: string): string[] {
  const out: string[] = [];
  const push = (s: string | undefined) => {
    const name = (s ?? "").trim();
    if (name && !out.includes(name) && plausible(name.replace(/^The\s+/, "x "))) out.push(name);
  };
  for (const m of text.matchAll(/\b(?:by|from|featuring|artist|author|singer|band)\s+((?:The\s+)?\p{Lu}[\p{L}'’-]+(?:\s+\p{Lu}[\p{L}'’-]+){0,3})/gu)) push(m[1]);
  for (const m of text.matchAll(/(?<![.!?]\s|^)\b(\p{Lu}\p{Ll}+\s+\p{Lu}\p{Ll}+)\b/gmu)) push(m[1]);
  return out;
}

/** Four-digit years (1500–2099) in order of appearance, deduplicated. */
export function findYears(text: string): number[] {
  const years = [...text.matchAll(/\b(1[5-9]\d{2}|20\d{2})\b/g)].map((m) => Number(m[1]));
  return [...new Set(years)];
}

/** Numbers in the text; "4:20" durations also yield their seconds (260). */
export function findNumbers(text: string): { values: number[]; durations: number[] } {
  const durations = [...text.matchAll(/\b(\d{1,2}):([0-5]\d)\b/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  const cleaned = text.replace(/\b\d{1,2}:[0-5]\d\b/g, " ");
  const values = [...cleaned.matchAll(/(?<![\w.])-?\d+(?:,\d{3})*(?:\.\d+)?(?![\w])/g)].map((m) => Number(m[0].replace(/,/g, "")));
  return { values: values.filter((v) => Number.isFinite(v)), durations };
}

/** Identifiers a prompt labels its sources with: "[chunk-3]", "[2]", "id: doc_7", "chunk_12", in order. */
export function findIds(text: string): Array<{ id: string; at: number }> {
  const found: Array<{ id: string; at: number }> = [];
  const patterns = [
    /\[([A-Za-z][\w.:-]{0,63}|\d{1,4})\]/g,
    /\b(?:id|chunk_id|doc_id|source_id)\s*[:=]\s*"?([\w.:-]{1,64})"?/gi,
    /\b((?:chunk|doc|document|passage|source|src)[-_]\w+)\b/gi,
  ];
  for (const re of patterns) for (const m of text.matchAll(re)) if (m[1]) found.push({ id: m[1], at: m.index ?? 0 });
  found.sort((a, b) => a.at - b.at);
  return found.filter((f, i) => found.findIndex((g) => g.id === f.id) === i);
}
