import type { FineTuneProviderId } from "../../providers/types";

/**
 * A job's states: Distillery's own (`created`, `uploading`, `submitted`), then the provider's
 * normalised statuses, then one terminal state.
 */
export const JOB_STATES = ["created", "uploading", "submitted", "queued", "validating", "running", "succeeded", "failed", "cancelled"] as const;
export type JobState = (typeof JOB_STATES)[number];

export const TERMINAL_JOB_STATES: ReadonlySet<JobState> = new Set(["succeeded", "failed", "cancelled"]);

export const isTerminal = (state: JobState) => TERMINAL_JOB_STATES.has(state);

/** One pinned dataset file: what the job trains on, whatever the dataset does later. */
export interface PinnedFile {
  key: string;
  sha256: string;
  /** R2's etag when pinned: the upload reads the object only while it still matches. */
  etag: string;
  bytes: number;
  lines: number;
}

/** What a job is created (or attached) with; never changes. Plain data: it crosses RPC. */
export interface JobInit {
  id: string;
  tenant_id: string;
  /** The creating request's id, sent as X-Request-Id on every provider call for this job. */
  request_id: string;
  kind: "create" | "attach";
  provider: FineTuneProviderId;
  /** Catalog id of the base model (for an attach, the catalog id matching the provider's name, else that name). */
  base_model: string;
  /** The base model as the provider names it. */
  provider_base_model: string;
  dataset: { id: string; name: string; train: PinnedFile; eval: PinnedFile | null } | null;
  hyperparameters: Record<string, number>;
  suffix: string | null;
  seed: number | null;
  lora: boolean;
  validation: "eval-split" | "none";
  /** Whether an evaluation was asked for (it runs with the evaluation issue). */
  evaluate: boolean;
  /** Deploy the student once it succeeds (absent in records older than it). */
  deploy?: boolean;
  /** The signing secret never leaves the job's object except in the create response. */
  webhook: { url: string; secret: string } | null;
  provider_job_id: string | null;
  cost_estimate_usd: number | null;
  /** USD per 1M trained tokens, from the catalog, for the actual cost. */
  training_price: number | null;
  /** Last day (exclusive) the provider accepts new jobs, from the catalog. */
  new_jobs_cutoff: string | null;
  created_at: string;
}

export interface WebhookDeliveryState {
  event_id: string;
  attempts: number;
  delivered_at: string | null;
  last_error: string | null;
  gave_up: boolean;
}

/** The job's whole mutable state, kept as one JSON row in its object. */
export interface JobRecord extends JobInit {
  state: JobState;
  provider_status: string | null;
  training_file_id: string | null;
  validation_file_id: string | null;
  /** Set, and saved, before the provider's create is called: a restart then looks the job up first. */
  create_attempted: boolean;
  fine_tuned_model: string | null;
  trained_tokens: number | null;
  error: { code: string; message: string } | null;
  cancel_requested: boolean;
  cancel_sent: boolean;
  timings: {
    submitted_at: string | null;
    started_at: string | null;
    finished_at: string | null;
  };
  /** Polls since the provider's status last changed (the backoff step), and failures in a row. */
  poll: { count: number; failures: number; next_at: string | null; last_error: string | null };
  /** When the provider expects the job to finish, unix seconds, as of the last poll (absent in records older than it). */
  estimated_finish?: number | null;
  last_event_id: string | null;
  registered: boolean;
  /** Whether the deployment `deploy` asked for was launched (or could not be). */
  deployment_started?: boolean;
  /** With `evaluate: true`: the eval its success started (queued on the eval queue; absent in records older than it). */
  eval_id?: string | null;
  /** Whether the job's end went to the tenant's webhook outbox (absent in records older than it). */
  event_emitted?: boolean;
  webhook_delivery: WebhookDeliveryState | null;
  updated_at: string;
}

export function newRecord(init: JobInit): JobRecord {
  return {
    ...init,
    state: "created",
    provider_status: null,
    training_file_id: null,
    validation_file_id: null,
    create_attempted: false,
    fine_tuned_model: null,
    trained_tokens: null,
    error: null,
    cancel_requested: false,
    cancel_sent: false,
    timings: { submitted_at: null, started_at: null, finished_at: null },
    poll: { count: 0, failures: 0, next_at: null, last_error: null },
    last_event_id: null,
    registered: false,
    event_emitted: false,
    webhook_delivery: null,
    updated_at: init.created_at,
  };
}
