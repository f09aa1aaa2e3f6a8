import { findCitations } from "./citations";
import { rankSentences, relevance, spreadSentences, type GenContext } from "./context";
import { keyPhrase } from "./phrases";
import { STOPWORDS } from "./text";

export const NO_ANSWER = "I could not find the answer in the provided context.";

/** The 1–3 context sentences sharing the most words with the question, in document order. */
export function extractiveAnswer(ctx: GenContext): string {
  const ranked = rankSentences(ctx).filter((s) => !s.instruction);
  const top = ranked[0];
  if (!top || relevance(ctx, top) === 0) return NO_ANSWER;
  const best = relevance(ctx, top);
  const picked = ranked.filter((s) => relevance(ctx, s) >= best / 2).slice(0, 3);
  const start = ctx.variant % picked.length;
  const chosen = ctx.variant > 0 ? [...picked.slice(start), ...picked.slice(0, start)].slice(0, Math.max(1, picked.length - 1)) : picked;
  return chosen
    .sort((a, b) => a.order - b.order)
    .map((s) => s.text)
    .join(" ");
}

const PRONOUN_START = /^(?:it|this|that|these|those|they|he|she|we|there|such|its|their)\b/i;

/** A question the sentence answers, e.g. "What does the text say about <key phrase>?". */
export function questionFrom(sentence: string, questionWords: ReadonlySet<string> = new Set()): string {
  const clean = sentence.replace(/[.!?]+$/, "").trim();
  const citation = findCitations(clean, [clean])[0];
  const copula = /^(.{3,60}?)\s+(is|are|was|were)\s+(.+)$/i.exec(clean);
  if (copula?.[1] && !citation && !PRONOUN_START.test(copula[1]) && copula[1].split(/\s+/).length <= 6 && !/[,;:()]/.test(copula[1])) {
    const subject = STOPWORDS.has((copula[1].split(/\s+/)[0] ?? "").toLowerCase()) ? copula[1].charAt(0).toLowerCase() + copula[1].slice(1) : copula[1];
    return `What ${copula[2]?.toLowerCase()} ${subject}?`;
  }
  const phrase = keyPhrase(citation ? clean.replace(citation.author, "").replace(String(citation.year), "") : clean, questionWords) || "this topic";
  if (citation) return `What did ${citation.author} find about ${phrase}?`;
  return `What does the text say about ${phrase}?`;
}

/** `n` distinct questions covering the context. */
export function generateQuestions(ctx: GenContext, n: number): string[] {
  const out: string[] = [];
  const spread = spreadSentences(ctx, Math.max(n, 1));
  const rest = ctx.sentences.filter((s) => !s.instruction && !spread.includes(s));
  for (const s of [...spread, ...rest]) {
    const q = questionFrom(s.text);
    if (!out.includes(q)) out.push(q);
    if (out.length >= n) break;
  }
  while (out.length < n) out.push(out.length === 0 ? "What is the main topic of the text?" : `What else does the text say (${out.length + 1})?`);
  return out;
}

/** Whether the request asks for questions to be written ("Generate 3 questions about…"). */
export function wantsQuestions(ctx: GenContext): boolean {
  return /\b(?:generate|write|create|produce|list|give|propose|suggest|come up with|ask)\b[^.\n]{0,60}\bquestions?\b/i.test(ctx.promptText);
}
