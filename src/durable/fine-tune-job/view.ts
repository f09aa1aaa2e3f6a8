import type { JobEvent } from "./store";
import type { JobRecord, JobState } from "./record";
import { roundUsd } from "../../lib/money";
import { inCommonNames } from "../../providers/hyperparameter-names";
import { unixOrNull, unixSeconds } from "../../lib/unix-time";

/** A job as the API shows it: everything but the webhook's secret and storage keys; every time in unix seconds. */
export interface JobView {
  id: string;
  object: "fine_tuning.job";
  kind: "create" | "attach";
  state: JobState;
  provider: string;
  provider_job_id: string | null;
  provider_status: string | null;
  base_model: string;
  dataset: { id: string; name: string; train: { sha256: string; lines: number; bytes: number }; eval: { sha256: string; lines: number; bytes: number } | null } | null;
  hyperparameters: Record<string, number>;
  suffix: string | null;
  validation: "eval-split" | "none";
  evaluate: boolean;
  /** The eval `evaluate: true` started once the job succeeded (GET /api/evals/{id}). */
  eval_id: string | null;
  training_file: string | null;
  validation_file: string | null;
  fine_tuned_model: string | null;
  model_registered: boolean;
  trained_tokens: number | null;
  error: { code: string; message: string } | null;
  cancel_requested: boolean;
  cost: { estimate_usd: number | null; actual_usd: number | null };
  timings: { created_at: number; submitted_at: number | null; started_at: number | null; finished_at: number | null; duration_s: number | null };
  next_poll_at: number | null;
  last_error: string | null;
  webhook: { url: string; delivery: { attempts: number; delivered_at: number | null; last_error: string | null; gave_up: boolean } | null } | null;
  /** Distillery's state changes, oldest first. */
  timeline: Array<{ state: string; at: number }>;
  /** Provider and Distillery events, oldest first (the latest 200). */
  events: JobEventView[];
  created_at: number;
  updated_at: number;
}

/** A job event as the API shows it (OpenAI's fine-tuning event, plus where it came from). */
export interface JobEventView {
  object: "fine_tuning.job.event";
  id: string;
  source: "provider" | "distillery";
  created_at: number;
  level: string;
  type: string | null;
  message: string;
}

export function eventView(e: JobEvent): JobEventView {
  return { object: "fine_tuning.job.event", id: e.id, source: e.source, created_at: e.created_at, level: e.level, type: e.type, message: e.message };
}

const pinned = (f: { sha256: string; lines: number; bytes: number }) => ({ sha256: f.sha256, lines: f.lines, bytes: f.bytes });

export function jobView(job: JobRecord, events: JobEvent[]): JobView {
  const { timings } = job;
  const duration =
    timings.finished_at !== null ? Math.round((Date.parse(timings.finished_at) - Date.parse(job.created_at)) / 1000) : null;
  return {
    id: job.id,
    object: "fine_tuning.job",
    kind: job.kind,
    state: job.state,
    provider: job.provider,
    provider_job_id: job.provider_job_id,
    provider_status: job.provider_status,
    base_model: job.base_model,
    dataset: job.dataset
      ? { id: job.dataset.id, name: job.dataset.name, train: pinned(job.dataset.train), eval: job.dataset.eval ? pinned(job.dataset.eval) : null }
      : null,
    hyperparameters: inCommonNames(job.provider, job.hyperparameters),
    suffix: job.suffix,
    validation: job.validation,
    evaluate: job.evaluate,
    eval_id: job.eval_id ?? null,
    training_file: job.training_file_id,
    validation_file: job.validation_file_id,
    fine_tuned_model: job.fine_tuned_model,
    model_registered: job.registered,
    trained_tokens: job.trained_tokens,
    error: job.error,
    cancel_requested: job.cancel_requested,
    cost: {
      estimate_usd: job.cost_estimate_usd === null ? null : roundUsd(job.cost_estimate_usd),
      actual_usd: job.trained_tokens !== null && job.training_price !== null ? roundUsd((job.trained_tokens * job.training_price) / 1e6) : null,
    },
    timings: {
      created_at: unixSeconds(job.created_at),
      submitted_at: unixOrNull(timings.submitted_at),
      started_at: unixOrNull(timings.started_at),
      finished_at: unixOrNull(timings.finished_at),
      duration_s: duration,
    },
    next_poll_at: unixOrNull(job.poll.next_at),
    last_error: job.poll.last_error,
    webhook: job.webhook
      ? {
          url: job.webhook.url,
          delivery: job.webhook_delivery
            ? { attempts: job.webhook_delivery.attempts, delivered_at: unixOrNull(job.webhook_delivery.delivered_at), last_error: job.webhook_delivery.last_error, gave_up: job.webhook_delivery.gave_up }
            : null,
        }
      : null,
    timeline: events
      .filter((e) => e.source === "distillery" && e.type === "state")
      .map((e) => ({ state: e.message.split(":")[0]!, at: e.created_at })),
    events: events.map(eventView),
    created_at: unixSeconds(job.created_at),
    updated_at: unixSeconds(job.updated_at),
  };
}
