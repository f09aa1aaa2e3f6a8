/**
 * Behaviour profiles: fixed, documented (README "Model profiles") and never set by a run, so that
 * offline the teacher, a base student and a fine-tuned student really differ and a comparison of
 * them measures something. Changing a number here changes what every eval on the emulator sees.
 */

/** The seed of every profile draw: a draw depends on it, the student's base model and the request. */
export const PROFILE_SEED = "distillery-emulator-profiles-v1";

/** Base students: the fine-tuning bases (and the open-weights bases Together and Fireworks train). */
export const STUDENT_BASES: ReadonlySet<string> = new Set([
  "gpt-4.1-2025-04-14",
  "gpt-4.1-mini-2025-04-14",
  "gpt-4.1-nano-2025-04-14",
  "gpt-4o-mini-2024-07-18",
  "gpt-4o-2024-08-06",
  "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference",
  "accounts/fireworks/models/llama-v3p1-8b-instruct",
]);

export type Degradation = "drop_field" | "invent_field" | "cite_absent" | "break_json";

/** How a base student spoils a structured answer (tool arguments or JSON content): how often, and how. */
export const BASE_STUDENT = {
  /** Share of structured answers that are degraded. */
  rate: 0.5,
  /** Given a degraded answer, the chance of each kind (summing to 1). */
  kinds: [
    ["drop_field", 0.25],
    ["invent_field", 0.25],
    ["cite_absent", 0.3],
    ["break_json", 0.2],
  ] as ReadonlyArray<readonly [Degradation, number]>,
} as const;

/** How training moves a fine-tuned student toward the teacher, by the examples its job trained on. */
export const FINE_TUNED = {
  /** At or below this many examples the model is its base. */
  noEffectAtOrBelow: 10,
  /** The examples at which the improvement is full. */
  fullEffectAt: 1000,
  /** The share of the base's degradations a fully trained model no longer makes (so it still differs from the teacher on ≥ 10% of answers). */
  maxImprovement: 0.7,
} as const;

/** The degradation rate of a student trained on `examples` rows: its base's, reduced on a log scale. */
export function fineTunedRate(examples: number): number {
  const { noEffectAtOrBelow, fullEffectAt, maxImprovement } = FINE_TUNED;
  if (examples <= noEffectAtOrBelow) return BASE_STUDENT.rate;
  const progress = Math.min(1, Math.log(examples / noEffectAtOrBelow) / Math.log(fullEffectAt / noEffectAtOrBelow));
  return BASE_STUDENT.rate * (1 - maxImprovement * progress);
}
