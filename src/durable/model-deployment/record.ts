import type { DeploymentSpec, DeploymentState } from "../../deployments/types";

export const DEPLOYMENT_STATES = ["requested", "provisioning", "ready", "failed", "stopping", "stopped"] as const satisfies readonly DeploymentState[];

/** States nothing follows (a stopped deployment is deployed again as a new one). */
export const isFinal = (state: DeploymentState) => state === "failed" || state === "stopped";

/** What a deployment is created with; never changes. Plain data: it crosses RPC. */
export interface DeploymentInit {
  spec: DeploymentSpec;
  provider: "together" | "fireworks";
  /** The deploying request's id, sent as X-Request-Id on every provider call for this deployment. */
  request_id: string;
  /** USD per replica-hour of the profile (from the catalog when deployed). */
  hourly_usd: number;
  /** The fine-tune job that asked for it (`deploy: true`), if one did. */
  job_id: string | null;
  /** The job also asked `evaluate: true`: its eval is queued once the deployment serves. */
  evaluate?: boolean;
  created_at: string;
}

export interface TimelineEntry {
  state: DeploymentState;
  at: string;
  detail: string | null;
}

/** The deployment's whole mutable state, one JSON row in its object. */
export interface DeploymentRecord extends DeploymentInit {
  state: DeploymentState;
  provider_status: string | null;
  provider_id: string | null;
  inference_model: string | null;
  base_url: string | null;
  /** Set, and saved, before the provider's create: a restart then looks the deployment up first. */
  create_attempted: boolean;
  stop_requested: boolean;
  /** Why it was stopped: the caller, the provider's inactivity timeout, or the unused-model grace period. */
  stop_reason: "requested" | "idle" | "unused" | null;
  stop_sent: boolean;
  error: { code: string; message: string } | null;
  /** Whether the tenant's registry has the model servable through this deployment. */
  served: boolean;
  /** The job's eval was queued (set once; the eval's id comes from the job's, so a repeat starts nothing twice). */
  eval_queued?: boolean;
  /** Webhook events already handed to the tenant's outbox. */
  emitted: string[];
  ready_at: string | null;
  stopped_at: string | null;
  poll: { count: number; failures: number; next_at: string | null; last_error: string | null };
  timeline: TimelineEntry[];
  updated_at: string;
}

export function newRecord(init: DeploymentInit): DeploymentRecord {
  return {
    ...init,
    state: "requested",
    provider_status: null,
    provider_id: null,
    inference_model: null,
    base_url: null,
    create_attempted: false,
    stop_requested: false,
    stop_reason: null,
    stop_sent: false,
    error: null,
    served: false,
    emitted: [],
    ready_at: null,
    stopped_at: null,
    poll: { count: 0, failures: 0, next_at: null, last_error: null },
    timeline: [{ state: "requested", at: init.created_at, detail: null }],
    updated_at: init.created_at,
  };
}

/** Micro-dollars the deployment has cost so far: replica-hours at its profile's price, from ready until stopped (or now). */
export function costSoFarMicros(rec: DeploymentRecord, nowMs: number): number {
  if (!rec.ready_at) return 0;
  const end = rec.stopped_at ? Date.parse(rec.stopped_at) : nowMs;
  const hours = Math.max(0, end - Date.parse(rec.ready_at)) / 3_600_000;
  return Math.round(hours * rec.hourly_usd * rec.spec.min_replicas * 1_000_000);
}
