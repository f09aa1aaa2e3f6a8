import { openDeployment } from "../durable/model-deployment";
import { nowIso, nowMs } from "../lib/clock";
import { registerSweepKind } from "./kinds";

/** A deployment still requested, provisioning or stopping with no word from its object for this long has lost its alarm. */
export const DEPLOYMENT_QUIET_MS = 30 * 60_000;
const PER_TENANT = 100;

/**
 * Deployments whose object went quiet mid-transition: the object is nudged (its alarm set again,
 * which polls the provider and mirrors the state back); one whose object never started (the deploy
 * request died between the claim and the start) is recorded failed: deploy it again.
 */
registerSweepKind<{ id: string; action: "resume" }>({
  name: "deployment",
  async find(tenant, at) {
    const ids = await tenant.deployments.quiet(new Date(at - DEPLOYMENT_QUIET_MS).toISOString(), PER_TENANT);
    return ids.map((id) => ({ id, action: "resume" as const }));
  },
  async repair(env, tenant, item) {
    const view = await openDeployment(env, tenant.id, item.id).resume();
    await tenant.deployments.update({ id: item.id, state: view ? view.state : "failed", inference_model: view?.endpoint.inference_model ?? null, updated_at: view ? nowIso() : new Date(nowMs()).toISOString() });
  },
});
