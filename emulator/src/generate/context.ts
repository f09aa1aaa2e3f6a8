import { findCitations, findNames, findNumbers, findYears, type Citation } from "./citations";
import { stripJsonSchemas } from "./prompt-json";
import { askedCount, contentWords, splitSentences } from "./text";

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
  /** Whether the question is separate from the context (a "Question:" line or a sentence ending in "?"). */
  hasQuestion: boolean;
  /** Weight of each question word: rarer in the context weighs more; words about the task itself weigh little. */
  weights: Map<string, number>;
  /** Choice index (n > 1): rotates which sources are used first. */
  variant: number;
}

const INSTRUCTION =
  /^(?:you are|you're|your (?:task|job|goal)|as an? |answer|respond|reply|return|use |using |generate|write|create|produce|given|please|do not|don't|only|always|never|make sure|ensure|output|format|extract|list |provide|based on|read |summari[sz]e|consider|here is|here are|below is|the following|follow|call |include|avoid|keep|be |think|if (?:the|you)|each question|questions? (?:should|must))/i;
/** Words that describe the task rather than its subject ("Which citations correspond to related work…"). */
const TASK_WORDS = new Set(["citation", "citations", "cite", "cited", "work", "works", "related", "paper", "papers", "correspond", "corresponds", "source", "sources", "reference", "references", "mention", "mentions", "mentioned", "discuss", "discusses", "describe", "describes", "list"]);
const LABEL = /^(?:(?:context|text|passage|document|chunk|source|input|excerpt|content)\s*[:：]\s*|\[[^\]\n]{1,64}\]\s*)/i;

/** Sentences that tell the model how to write questions ("The questions should be diverse…", "Restrict the questions…"). */
const QUESTION_RULE = /^(?:the )?questions?\b.*\b(?:should|must|need)\b|^restrict\b|\bquiz\b|\bexamination\b/i;

/** A short `key: value` line: metadata embedded with a chunk (LlamaIndex's metadata mode), not content. */
const METADATA_LINE = /^[A-Za-z_][\w -]{0,30}:\s+\S[^\n]{0,100}$/;

function isInstruction(sentence: string): boolean {
  return (
    INSTRUCTION.test(sentence) ||
    METADATA_LINE.test(sentence.trim()) ||
    QUESTION_RULE.test(sentence.trim()) ||
    /\bjson\b|\bschema\b/i.test(sentence) ||
    /[:：]$/.test(sentence.trim())
  );
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

/**
 * A prompt laid out as "<instructions>\nContext:\n<text>\nQuestions:" (LlamaIndex's question
 * generation): only what follows the "Context:" line is content; the instructions before it
 * (often with example questions) are not.
 */
function afterContextLabel(text: string): string {
  const m = /(?:^|\n)\s*context\s*[:：]\s*\n/i.exec(text);
  return m ? text.slice(m.index + m[0].length) : text;
}

/** Builds the generation context from the messages (system, developer, user and tool text). */
export function buildContext(messages: readonly PlainMessage[], variant = 0): GenContext {
  const lastUser = [...messages].reverse().find((m) => m.role === "user")?.text ?? "";
  const { question, own } = findQuestion(lastUser);
  const sourceText = messages
    .filter((m) => m.role === "system" || m.role === "developer" || m.role === "user" || m.role === "tool")
    .map((m) => stripJsonSchemas(afterContextLabel(m.text)))
    .join("\n\n");
  const sentences: ContextSentence[] = [];
  for (const raw of splitSentences(sourceText)) {
    const text = raw.replace(LABEL, "").trim();
    if (!text || (own !== null && (text === own || /^\s*(?:question|query|q)\s*[:：-]/i.test(raw)))) continue;
    const words = new Set(contentWords(text));
    if (words.size === 0) continue;
    sentences.push({ text, words, order: sentences.length, instruction: isInstruction(text) });
  }
  const contentSentences = sentences.filter((s) => !s.instruction);
  const content = contentSentences.map((s) => s.text);
  const text = content.join("\n");
  const questionWords = new Set(contentWords(question));
  const weights = new Map<string, number>();
  for (const w of questionWords) {
    const df = contentSentences.filter((s) => s.words.has(w)).length;
    weights.set(w, Math.log(1 + (contentSentences.length + 1) / (1 + df)) * (TASK_WORDS.has(w) ? 0.2 : 1));
  }
  // Counts are asked for in instructions (system prompt, the question, a user message's
  // first or last sentences), not in the documents they apply to.
  const instructions = [
    ...messages.filter((m) => m.role === "system" || m.role === "developer").map((m) => m.text),
    ...(own !== null ? [own] : []),
    ...messages.filter((m) => m.role === "user").flatMap((m) => {
      const parts = splitSentences(m.text);
      return [...parts.slice(0, 2), ...parts.slice(-1)];
    }),
  ].join("\n");
  return {
    sentences,
    question,
    questionWords,
    text,
    promptText: messages.map((m) => m.text).join("\n\n"),
    citations: findCitations(text, content),
    years: findYears(text),
    names: findNames(text),
    numbers: findNumbers(text),
    asked: askedCount(instructions),
    hasQuestion: own !== null,
    weights,
    variant,
  };
}

/** Weighted overlap of a set of words with the question. */
export function scoreWords(ctx: GenContext, words: ReadonlySet<string>): number {
  let score = 0;
  for (const [w, weight] of ctx.weights) if (words.has(w)) score += weight;
  return score;
}

/** Relevance of a sentence to the question. */
export function relevance(ctx: GenContext, s: ContextSentence): number {
  return scoreWords(ctx, s.words);
}

/** Content sentences, most relevant to the question first, ties in document order. */
export function rankSentences(ctx: GenContext): ContextSentence[] {
  const content = ctx.sentences.filter((s) => !s.instruction);
  const pool = content.length ? content : ctx.sentences;
  return pool
    .map((s) => ({ s, score: relevance(ctx, s) }))
    .sort((a, b) => b.score - a.score || a.s.order - b.s.order)
    .map((x) => x.s);
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
