import type { StoredDecision } from "../durable/tenant/promotion";
import type { EvalDecision } from "../evals/runs/decision";
import type { EvalReport, ModelReport } from "../evals/runs/report";
import type { PromotionEvidence } from "./rule";

/** Between eval runs and the rule: what a report says as evidence, and a stored decision as the report shows it. Pure. */

/**
 * The candidate a decision is about: the newest one named (the last in the report), leaving out a
 * candidate that is only there as another's base (its paired_vs_base reference), since a base is
 * measured to show what the fine-tune gained, not to be promoted.
 */
export function decidedCandidate(report: EvalReport): ModelReport | null {
  const candidates = report.models.filter((m) => m.role === "candidate");
  const bases = new Set(candidates.map((m) => m.paired_vs_base?.base).filter((b): b is string => !!b));
  return candidates.filter((m) => !bases.has(m.model)).at(-1) ?? candidates.at(-1) ?? null;
}

/** An eval's report → the rule's evidence for `candidate` against the report's incumbent. */
export function evidenceOf(report: EvalReport, candidate: ModelReport): PromotionEvidence {
  const incumbent = report.models.find((m) => m.role === "incumbent");
  const faith = candidate.paired_vs_incumbent?.faithfulness ?? null;
  const validity = candidate.paired_vs_incumbent?.schema_validity ?? null;
  const pairwise = candidate.pairwise_vs_incumbent;
  return {
    candidate: candidate.model,
    incumbent: report.incumbent,
    // Questions scored for both: faithfulness's pairs (the rule's statistical test), else schema validity's.
    scored: faith?.n_pairs ?? validity?.n_pairs ?? 0,
    schema_validity: { candidate: candidate.metrics.schema_validity?.mean ?? null, incumbent: incumbent?.metrics.schema_validity?.mean ?? null },
    faithfulness_diff_lower: faith?.interval?.low ?? null,
    pairwise: pairwise ? { wins: pairwise.wins, losses: pairwise.losses, ties: pairwise.ties } : null,
  };
}

/** The stored decision in the shape eval runs keep with the eval and show in its report. */
export function asEvalDecision(d: StoredDecision): EvalDecision {
  const failed = d.conditions.filter((c) => !c.passed).map((c) => `${c.name} (${c.detail})`);
  const verdict = d.decision === "promote" ? "The rule promotes the candidate" : `The rule keeps the incumbent: ${failed.join("; ")}`;
  const outcome = d.applied ? `; it is now active (version ${d.version})` : d.decision === "promote" ? `; not switched: ${d.not_applied_reason}` : "";
  return {
    decision: d.decision,
    candidate: d.candidate,
    applied: d.applied,
    reason: `${verdict}${outcome}.`,
    conditions: d.conditions.map(({ name, value, threshold, passed }) => ({ name, value, threshold, passed })),
    detail: { rule: d.rule, incumbent: d.incumbent, version: d.version, not_applied_reason: d.not_applied_reason, details: d.conditions.map((c) => c.detail) },
  };
}
