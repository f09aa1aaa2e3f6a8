import { z } from "zod";
import { answerText, tagged } from "./answer-text";
import { askJudge, parseWith, type Judge } from "./judge-call";
import type { MetricResult } from "./result";

/*
 * Answer relevancy as ragas 0.4 defines it: the judge writes n questions the answer would answer,
 * each flagged noncommittal when the answer evades ("I don't know"); the score is the mean cosine
 * similarity of their embeddings to the original question's, and 0 when every one is noncommittal.
 */

export const QUESTIONS_TOOL = {
  name: "record_questions",
  description: "Record the questions the answer would answer, each with whether the answer is noncommittal.",
  parameters: {
    type: "object",
    properties: {
      questions: {
        type: "array",
        items: {
          type: "object",
          properties: {
            question: { type: "string" },
            noncommittal: { type: "boolean", description: "True when the answer is evasive, vague or says it does not know." },
          },
          required: ["question", "noncommittal"],
          additionalProperties: false,
        },
      },
    },
    required: ["questions"],
    additionalProperties: false,
  },
};

const SYSTEM =
  "You read an answer and write the questions it answers, as a person who had only the answer would guess them. " +
  "Mark a question noncommittal when the answer is evasive, vague or ambiguous (\"I don't know\", \"I'm not sure\", " +
  "\"the text does not say\"); otherwise mark it committal.";

/** Embeds texts (the deployment's embedding model, or a test double); one vector per text, in order. */
export type Embed = (texts: string[]) => Promise<number[][]>;

export const DEFAULT_GENERATIONS = 3;

export interface RelevancyResult extends MetricResult {
  generated: Array<{ question: string; noncommittal: boolean; similarity: number | null }>;
}

const questionsSchema = z.object({ questions: z.array(z.object({ question: z.string(), noncommittal: z.boolean() })) });

/** Answer relevancy of one answer to its question; undetermined with no answer or an unreadable judge. */
export async function answerRelevancy(judge: Judge, embed: Embed, input: { question: string; output: unknown; n?: number }): Promise<RelevancyResult> {
  const n = input.n ?? DEFAULT_GENERATIONS;
  const text = answerText(input.output);
  if (text === null) return { score: null, undetermined: "no_output", generated: [], records: [] };
  const asked = await askJudge(judge, {
    metric: "answer_relevancy",
    tool: QUESTIONS_TOOL,
    messages: [
      { role: "system", content: SYSTEM },
      { role: "user", content: `${tagged("answer", text)}\n\nCall ${QUESTIONS_TOOL.name} with exactly ${n} questions.` },
    ],
    parse: (args) =>
      parseWith(questionsSchema, args, (v) => {
        const qs = v.questions.filter((q) => q.question.trim() !== "");
        return qs.length >= n ? { ok: true, value: qs.slice(0, n) } : { ok: false, error: `${qs.length} question(s), ${n} asked` };
      }),
  });
  const records = [asked.record];
  if (asked.value === null) return { score: null, undetermined: "judge_unparseable", generated: [], records };
  if (asked.value.every((q) => q.noncommittal)) {
    return { score: 0, undetermined: null, generated: asked.value.map((q) => ({ ...q, similarity: null })), records };
  }
  const [original, ...vectors] = await embed([input.question, ...asked.value.map((q) => q.question)]);
  const similarities = vectors.map((v) => cosine(original!, v));
  const score = similarities.reduce((s, x) => s + x, 0) / similarities.length;
  return { score: clamp01(score), undetermined: null, generated: asked.value.map((q, i) => ({ ...q, similarity: similarities[i]! })), records };
}

/** Cosine similarity (0 when either vector is all zeros). */
export function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * (b[i] ?? 0);
    na += a[i]! * a[i]!;
    nb += (b[i] ?? 0) * (b[i] ?? 0);
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** A report's scores live in [0, 1]; a negative cosine (opposed texts) reads as no relevance. */
const clamp01 = (x: number) => Math.min(1, Math.max(0, x));
