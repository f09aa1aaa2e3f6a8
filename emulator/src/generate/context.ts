import { findCitations, findNames, findNumbers, findYears, type Citation } from "./citations";
import { askedCount, contentWords, overlap, splitSentences } from "./text";

/** A chat message reduced to what generation reads. */
export interface PlainMessage {
  role: string;
  text: string;
}

export interface ContextSentence {
  text: string;
  words: Set<string>;
  /** Position in the context, for document order. */
  order: number;
  /** Instructions ("You are…", "Return JSON…") are not content; used only when nothing else is there. */
  instruction: boolean;
}

/** Everything the generator knows about a request: the context, the question, and facts found in them. */
export interface GenContext {
  sentences: ContextSentence[];
  question: string;
  questionWords: Set<string>;
  /** All content (non-instruction) sentences joined, for regex extraction. */
  text: string;
  /** Every message's text, for finding JSON schemas and the word "json". */
  promptText: string;
  citations: Citation[];
  years: number[];
  names: string[];
  numbers: { values: number[]; durations: number[] };
  asked: { count: number; noun: string } | null;
  /** Choice index (n > 1): rotates which sources are used first. */
  variant: number;
}

const INSTRUCTION =
  /^(?:you are|you're|your (?:task|job|goal)|as an? |answer|respond|reply|return|use |using |generate|write|create|produce|given|please|do not|don't|only|always|never|make sure|ensure|output|format|extract|list |provide|based on|read |summari[sz]e|consider|here is|here are|below is|the following|follow|call |include|avoid|keep|be |think|if (?:the|you)|each question|questions? (?:should|must))/i;
const LABEL = /^(?:(?:context|text|passage|document|chunk|source|input|excerpt|content)\s*[:：]\s*|\[[^\]\n]{1,64}\]\s*)/i;

function isInstruction(sentence: string): boolean {
  return INSTRUCTION.test(sentence) || /\bjson\b|\bschema\b/i.test(sentence) || /[:：]$/.test(sentence.trim());
}

/** The question: a "Question:" line, else the last sentence ending in "?", else the whole message. */
function findQuestion(lastUser: string): { question: string; own: string | null } {
  const labelled = /^\s*(?:question|query|q)\s*[:：-]\s*(.+)$/im.exec(lastUser);
  if (labelled?.[1]) return { question: labelled[1].trim(), own: labelled[1].trim() };
  const asked = splitSentences(lastUser).filter((s) => s.trim().endsWith("?"));
  const last = asked[asked.length - 1];
  if (last) return { question: last, own: last };
  return { question: lastUser.trim(), own: null };
}

/** Builds the generation context from the messages (system, developer, user and tool text). */
export function buildContext(messages: readonly PlainMessage[], variant = 0): GenContext {
  const lastUser = [...messages].reverse().find((m) => m.role === "user")?.text ?? "";
  const { question, own } = findQuestion(lastUser);
  const sourceText = messages
    .filter((m) => m.role === "system" || m.role === "developer" || m.role === "user" || m.role === "tool")
    .map((m) => m.text)
    .join("\n\n");
  const sentences: ContextSentence[] = [];
  for (const raw of splitSentences(sourceText)) {
    const text = raw.replace(LABEL, "").trim();
    if (!text || (own !== null && (text === own || /^\s*(?:question|query|q)\s*[:：-]/i.test(raw)))) continue;
    const words = new Set(contentWords(text));
    if (words.size === 0) continue;
    sentences.push({ text, words, order: sentences.length, instruction: isInstruction(text) });
  }
  const content = sentences.filter((s) => !s.instruction).map((s) => s.text);
  const text = content.join("\n");
  return {
    sentences,
    question,
    questionWords: new Set(contentWords(question)),
    text,
    promptText: messages.map((m) => m.text).join("\n\n"),
    citations: findCitations(text, content),
    years: findYears(text),
    names: findNames(text),
    numbers: findNumbers(text),
    asked: askedCount(messages.filter((m) => m.role !== "assistant" && m.role !== "tool").map((m) => m.text).join("\n")),
    variant,
  };
}

/** Content sentences, most relevant to `against` (default: the question) first, ties in document order. */
export function rankSentences(ctx: GenContext, against: ReadonlySet<string> = ctx.questionWords): ContextSentence[] {
  const content = ctx.sentences.filter((s) => !s.instruction);
  const pool = content.length ? content : ctx.sentences;
  return pool
    .map((s) => ({ s, score: overlap(s.words, against) }))
    .sort((a, b) => b.score - a.score || a.s.order - b.s.order)
    .map((x) => x.s);
}

/** Relevance score of a sentence to the question. */
export function relevance(ctx: GenContext, s: ContextSentence): number {
  return overlap(s.words, ctx.questionWords);
}

/** Content sentences spread evenly over the document (for covering it with questions). */
export function spreadSentences(ctx: GenContext, n: number): ContextSentence[] {
  const content = ctx.sentences.filter((s) => !s.instruction && s.words.size >= 3);
  const pool = content.length ? content : ctx.sentences.filter((s) => !s.instruction);
  if (pool.length <= n) return rotate(pool, ctx.variant);
  const picked: ContextSentence[] = [];
  for (let k = 0; k < n; k++) {
    const s = pool[(Math.floor((k * pool.length) / n) + ctx.variant) % pool.length];
    if (s && !picked.includes(s)) picked.push(s);
  }
  return picked;
}

/** Rotates a list left by `by` places. */
export function rotate<T>(list: readonly T[], by: number): T[] {
  if (list.length === 0) return [];
  const k = by % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}
