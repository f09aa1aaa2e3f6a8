import { z } from "zod";

/**
 * The promotion rule: when a candidate has earned the incumbent's place. Pure: evidence in,
 * a decision out with every condition's value beside its threshold, so a person can audit it.
 */

/** A tenant's rule (PUT /api/settings/promotion); every field has the default. */
export const promotionRuleSchema = z
  .object({
    /** Switch to the candidate when the rule says promote; off: the decision is recorded, a person switches. */
    auto_promote: z.boolean().default(false),
    /** Questions both models were scored on, at least. */
    min_scored: z.int().min(1).max(100_000).default(30),
    /** How far the candidate's mean schema validity may fall below the incumbent's. */
    max_schema_validity_drop: z.number().min(0).max(1).default(0.01),
    /** The lowest acceptable lower bound of the faithfulness paired difference (candidate − incumbent, 95%). */
    min_faithfulness_lower_bound: z.number().min(-1).max(1).default(-0.05),
    /** Pairwise preference: wins must be at least losses (ties count for neither). */
    require_wins_at_least_losses: z.boolean().default(true),
  })
  .strict();
export type PromotionRule = z.infer<typeof promotionRuleSchema>;

export const DEFAULT_PROMOTION_RULE: PromotionRule = promotionRuleSchema.parse({});

/** What an eval measured of a candidate against the incumbent (a metric that could not score: null). */
export interface PromotionEvidence {
  candidate: string;
  incumbent: string;
  /** Questions scored for both models (the paired n). */
  scored: number;
  /** Mean schema validity (0–1) of each model; null when the metric did not apply or could not score. */
  schema_validity: { candidate: number | null; incumbent: number | null };
  /** Lower bound of the 95% interval of the paired faithfulness difference (candidate − incumbent). */
  faithfulness_diff_lower: number | null;
  /** Pairwise preference, counted only when the judge agreed in both orders; null when not asked. */
  pairwise: { wins: number; losses: number; ties: number } | null;
}

export type ConditionName = "min_scored" | "schema_validity" | "faithfulness" | "pairwise";

export interface ConditionResult {
  name: ConditionName;
  passed: boolean;
  /** The measured value the condition compared (null: not measured). */
  value: number | null;
  /** What it was compared with. */
  threshold: number | null;
  /** The comparison in words, with the numbers. */
  detail: string;
}

export interface PromotionDecision {
  decision: "promote" | "keep";
  candidate: string;
  incumbent: string;
  conditions: ConditionResult[];
  rule: PromotionRule;
}

// Means and bounds arrive as floats from sums and bootstraps: a value equal to its threshold in
// decimal (0.95 against 0.96 − 0.01) must pass, whichever way the binary rounding fell.
const EPS = 1e-9;

/** Decides: promote only when every condition passes; each condition's value is in the answer. */
export function decidePromotion(evidence: PromotionEvidence, rule: PromotionRule = DEFAULT_PROMOTION_RULE): PromotionDecision {
  const conditions = [scoredCondition(evidence, rule), schemaCondition(evidence, rule), faithfulnessCondition(evidence, rule), pairwiseCondition(evidence, rule)];
  return {
    decision: conditions.every((c) => c.passed) ? "promote" : "keep",
    candidate: evidence.candidate,
    incumbent: evidence.incumbent,
    conditions,
    rule,
  };
}

function scoredCondition(e: PromotionEvidence, rule: PromotionRule): ConditionResult {
  const passed = e.scored >= rule.min_scored;
  return { name: "min_scored", passed, value: e.scored, threshold: rule.min_scored, detail: `${e.scored} questions scored for both ${passed ? "≥" : "<"} ${rule.min_scored}` };
}

function schemaCondition(e: PromotionEvidence, rule: PromotionRule): ConditionResult {
  const { candidate, incumbent } = e.schema_validity;
  const threshold = -rule.max_schema_validity_drop;
  if (candidate === null && incumbent === null) {
    // Neither answer has a schema to satisfy (a free-text program): nothing to fall below.
    return { name: "schema_validity", passed: true, value: null, threshold, detail: "not measured for either model (no output schema)" };
  }
  if (candidate === null || incumbent === null) {
    return { name: "schema_validity", passed: false, value: null, threshold, detail: `not measured for the ${candidate === null ? "candidate" : "incumbent"}` };
  }
  const diff = candidate - incumbent;
  const passed = diff >= threshold - EPS;
  return {
    name: "schema_validity",
    passed,
    value: round(diff),
    threshold,
    detail: `candidate ${round(candidate)} − incumbent ${round(incumbent)} = ${round(diff)} ${passed ? "≥" : "<"} ${threshold}`,
  };
}

function faithfulnessCondition(e: PromotionEvidence, rule: PromotionRule): ConditionResult {
  const lower = e.faithfulness_diff_lower;
  const threshold = rule.min_faithfulness_lower_bound;
  if (lower === null) return { name: "faithfulness", passed: false, value: null, threshold, detail: "paired difference not measured: no evidence the candidate is not worse" };
  const passed = lower >= threshold - EPS;
  return { name: "faithfulness", passed, value: round(lower), threshold, detail: `paired difference's lower bound ${round(lower)} ${passed ? "≥" : "<"} ${threshold}` };
}

function pairwiseCondition(e: PromotionEvidence, rule: PromotionRule): ConditionResult {
  if (e.pairwise === null) {
    const passed = !rule.require_wins_at_least_losses;
    return { name: "pairwise", passed, value: null, threshold: passed ? null : 0, detail: `not measured${passed ? " (not required)" : ""}` };
  }
  const { wins, losses, ties } = e.pairwise;
  const margin = wins - losses;
  if (!rule.require_wins_at_least_losses) {
    return { name: "pairwise", passed: true, value: margin, threshold: null, detail: `${wins} wins, ${losses} losses, ${ties} ties (not required)` };
  }
  const passed = margin >= 0;
  return { name: "pairwise", passed, value: margin, threshold: 0, detail: `${wins} wins − ${losses} losses = ${margin} ${passed ? "≥" : "<"} 0 (${ties} ties)` };
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
