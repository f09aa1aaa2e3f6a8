import { toMicros, usdOf } from "../../lib/money";
import { unixSeconds } from "../../lib/unix-time";
import type { DeploymentCostShare } from "../../deployments/types";
import { costSoFarMicros, type DeploymentRecord } from "./record";

/** A deployment as the API shows it: state timeline, provider status, endpoint, cost so far. */
export function deploymentView(rec: DeploymentRecord, nowMs: number) {
  const s = rec.spec;
  return {
    object: "deployment" as const,
    id: s.deployment_id,
    model: s.model,
    base_model: s.base_model,
    provider: rec.provider,
    profile: s.profile,
    state: rec.state,
    provider_status: rec.provider_status,
    provider_id: rec.provider_id,
    endpoint: { inference_model: rec.inference_model, base_url: rec.base_url },
    replicas: { min: s.min_replicas, max: s.max_replicas },
    idle_minutes: s.idle_minutes,
    shared: s.shared,
    job_id: rec.job_id,
    stop_reason: rec.stop_reason,
    error: rec.error,
    cost: {
      // The deployment's standing cost: replicas kept up × the profile's hourly price.
      hourly_usd: usdOf(toMicros(rec.hourly_usd * s.min_replicas)),
      so_far_usd: usdOf(costSoFarMicros(rec, nowMs)),
      /** On a shared base (Fireworks addons): the rule, the base's price and how many share it now. */
      share: null as DeploymentCostShare | null,
    },
    timeline: rec.timeline.map((t) => ({ state: t.state, at: unixSeconds(t.at), detail: t.detail })),
    next_poll_at: rec.poll.next_at ? unixSeconds(rec.poll.next_at) : null,
    last_error: rec.poll.last_error,
    ready_at: rec.ready_at ? unixSeconds(rec.ready_at) : null,
    stopped_at: rec.stopped_at ? unixSeconds(rec.stopped_at) : null,
    created_at: unixSeconds(rec.created_at),
    updated_at: unixSeconds(rec.updated_at),
  };
}
export type DeploymentView = ReturnType<typeof deploymentView>;
