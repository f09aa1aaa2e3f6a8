import { openTenant } from "../durable/tenant";
import { registerDecisionHook, type DecisionHook } from "../evals/runs/decision";
import { forgetPointer } from "../serving/pointer";
import { asEvalDecision, decidedCandidate, evidenceOf } from "./evidence";

/** The promotion rule as the evals' decision hook: decided (and applied) once per eval by the Tenant object. */
export const promotionHook: DecisionHook = async ({ env, tenantId, evalId, report }) => {
  const candidate = decidedCandidate(report);
  if (!candidate) return { decision: "keep", candidate: null, applied: false, reason: "The eval measured no candidate." };
  using tenant = openTenant(env, tenantId);
  const stored = await tenant.activeModel.decide(evalId, evidenceOf(report, candidate));
  if (stored.applied) forgetPointer(tenantId, (await tenant.activeModel.view()).pointer);
  return asEvalDecision(stored);
};

/** Registers the promotion rule with eval runs (the Worker does at start-up); returns the undo. */
export function registerPromotionHook(): () => void {
  return registerDecisionHook(promotionHook);
}
