/**
 * The events Distillery sends to webhooks, named `<area>.<object>.<what happened>`. A feature that
 * emits a new event adds its type here (and to the README's table); subscriptions name types,
 * `<prefix>.*` or `*`. Coming with their issues: `deployment.*` (ready, failed), `retraining.*`
 * (started, finished), `budget.*` (threshold reached), `model.rolled_back`.
 */
export const WEBHOOK_EVENT_TYPES = [
  "fine_tune.job.succeeded",
  "fine_tune.job.failed",
  "fine_tune.job.cancelled",
  // A deployment of an open-weights student (issue 21): serving, failed, or stopped (by the caller,
  // the provider's inactivity timeout, or the unused-model grace period).
  "deployment.ready",
  "deployment.failed",
  "deployment.stopped",
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The body of every webhook delivery. */
export interface WebhookEvent<T extends string = WebhookEventType, D = Record<string, unknown>> {
  /** The event's id: the same for every endpoint it goes to and on every retry. */
  id: string;
  type: T;
  /** Unix seconds when the event happened (not when this attempt was made). */
  created: number;
  data: D;
}

/** A fine-tune job's outcome, as its events carry it. */
export interface JobEventData {
  job: {
    id: string;
    state: string;
    provider: string;
    provider_job_id: string | null;
    fine_tuned_model: string | null;
    error: { code: string; message: string } | null;
    dataset: string;
    base_model: string;
  };
}

/** A deployment's change, as its events carry it. */
export interface DeploymentEventData {
  deployment: {
    id: string;
    model: string;
    provider: string;
    profile: string;
    state: string;
    inference_model: string | null;
    stop_reason: string | null;
    error: { code: string; message: string } | null;
  };
}

export type DeploymentWebhookEvent = WebhookEvent<`deployment.${"ready" | "failed" | "stopped"}`, DeploymentEventData>;

export type JobWebhookEvent = WebhookEvent<`fine_tune.job.${"succeeded" | "failed" | "cancelled"}`, JobEventData>;

/** Whether `pattern` names events that exist: `*`, a type, or `<prefix>.*` over at least one type. */
export function isEventPattern(pattern: string): boolean {
  if (pattern === "*") return true;
  if (pattern.endsWith(".*")) {
    const prefix = pattern.slice(0, -1);
    return WEBHOOK_EVENT_TYPES.some((t) => t.startsWith(prefix));
  }
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(pattern);
}

/** Whether a subscription to `patterns` receives events of `type`. */
export function subscribes(patterns: readonly string[], type: string): boolean {
  return patterns.some((p) => p === "*" || p === type || (p.endsWith(".*") && type.startsWith(p.slice(0, -1))));
}
