import { z } from "zod";
import { tagged } from "./answer-text";
import { askJudge, parseWith, type Judge, type JudgeRecord } from "./judge-call";
import { canonical } from "./agreement";

/*
 * Pairwise preference: the judge compares two outputs for the same input, asked in both orders
 * (LLM judges favour a position), and a win counts only when it holds in both; otherwise a tie.
 * Identical outputs tie without a call. Whether the two orders disagree is kept, so a report can
 * show the judge's position-flip rate.
 */

export const PREFERENCE_TOOL = {
  name: "record_preference",
  description: "Record which of the two answers is better for the question, or a tie.",
  parameters: {
    type: "object",
    properties: {
      explanation: { type: "string", description: "The comparison, before the verdict." },
      winner: { type: "string", enum: ["A", "B", "tie"] },
    },
    required: ["explanation", "winner"],
    additionalProperties: false,
  },
};

const SYSTEM =
  "You compare two answers to the same question. Prefer the answer that is correct, supported by the context when one is given, " +
  "complete and in the requested form. Do not let the order of the answers, their length or their style decide. " +
  "Explain first, then give the winner: A, B, or tie when neither is better.";

const preferenceSchema = z.object({ explanation: z.string(), winner: z.enum(["A", "B", "tie"]) });

export type Side = "first" | "second" | "tie";

export interface PairwiseResult {
  /** The winner over both orders: `first` or `second` only when both orders agree. */
  winner: Side | null;
  /** Score for the first output: 1 win, 0.5 tie, 0 loss; null when undetermined. */
  score: number | null;
  undetermined: string | null;
  /** Each order's verdict, mapped to first/second; null when that order's judge output did not parse. */
  verdicts: { forward: Side | null; swapped: Side | null };
  explanations: string[];
  /** The two orders gave different verdicts (at least one decisive). */
  flipped: boolean;
  /** No call was made: the outputs are identical. */
  identical: boolean;
  records: JudgeRecord[];
}

/** Compares `first` and `second` (e.g. candidate and incumbent) for one question, in both orders. */
export async function pairwisePreference(judge: Judge, input: { question: string; first: unknown; second: unknown; contexts?: readonly string[] }): Promise<PairwiseResult> {
  if (canonical(input.first) === canonical(input.second)) {
    return { winner: "tie", score: 0.5, undetermined: null, verdicts: { forward: "tie", swapped: "tie" }, explanations: [], flipped: false, identical: true, records: [] };
  }
  const ask = (a: unknown, b: unknown) =>
    askJudge(judge, {
      metric: "pairwise",
      tool: PREFERENCE_TOOL,
      messages: [
        { role: "system", content: SYSTEM },
        {
          role: "user",
          content:
            `${tagged("question", input.question)}\n${(input.contexts ?? []).map((c) => tagged("context", c)).join("\n")}\n` +
            `${tagged("answer_a", show(a))}\n${tagged("answer_b", show(b))}\n\nCall ${PREFERENCE_TOOL.name} with your verdict.`,
        },
      ],
      parse: (args) => parseWith(preferenceSchema, args, (v) => ({ ok: true, value: v })),
    });
  const [fwd, swp] = await Promise.all([ask(input.first, input.second), ask(input.second, input.first)]);
  const records = [fwd.record, swp.record];
  const forward: Side | null = fwd.value === null ? null : fwd.value.winner === "A" ? "first" : fwd.value.winner === "B" ? "second" : "tie";
  const swapped: Side | null = swp.value === null ? null : swp.value.winner === "A" ? "second" : swp.value.winner === "B" ? "first" : "tie";
  const explanations = [fwd.value?.explanation, swp.value?.explanation].filter((e): e is string => e !== undefined);
  if (forward === null || swapped === null) {
    return { winner: null, score: null, undetermined: "judge_unparseable", verdicts: { forward, swapped }, explanations, flipped: false, identical: false, records };
  }
  const winner: Side = forward === swapped ? forward : "tie";
  const flipped = forward !== swapped;
  return { winner, score: winner === "first" ? 1 : winner === "second" ? 0 : 0.5, undetermined: null, verdicts: { forward, swapped }, explanations, flipped, identical: false, records };
}

/** The judge's position-flip rate: of the comparisons where either order was decisive, the share whose orders disagree. */
export function positionFlipRate(results: readonly PairwiseResult[]): { rate: number | null; flipped: number; decisive: number } {
  const decisive = results.filter((r) => !r.identical && r.verdicts.forward !== null && r.verdicts.swapped !== null && (r.verdicts.forward !== "tie" || r.verdicts.swapped !== "tie"));
  const flipped = decisive.filter((r) => r.flipped).length;
  return { rate: decisive.length ? flipped / decisive.length : null, flipped, decisive: decisive.length };
}

const show = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v, null, 2));
