import type { FineTuneProvider as FineTuneProviderId, Provider } from "../llm/catalog-schema";

export type { FineTuneProviderId };

/** One status vocabulary for every provider; each implementation maps its own onto it. */
export type ProviderJobStatus = "queued" | "validating" | "running" | "succeeded" | "failed" | "cancelled";

export const TERMINAL_STATUSES: ReadonlySet<ProviderJobStatus> = new Set(["succeeded", "failed", "cancelled"]);

/** A provider's fine-tuning job, normalised. Plain data: it crosses Durable Object RPC. */
export interface ProviderJob {
  /** The provider's job id (OpenAI `ftjob-…`, Together `ft-…`, Fireworks the job's last name segment). */
  id: string;
  status: ProviderJobStatus;
  /** The provider's own status string, kept verbatim (`JOB_STATE_RUNNING`, `compressing`, …). */
  provider_status: string;
  /** The base model as the provider names it. */
  base_model: string;
  /** The trained model's name at the provider, once there is one. */
  fine_tuned_model: string | null;
  trained_tokens: number | null;
  error: { code: string | null; message: string } | null;
  /** Unix seconds, when the provider says. */
  created_at: number | null;
  finished_at: number | null;
  /**
   * When the provider expects the job to finish, unix seconds, if it says (OpenAI's
   * `estimated_finish` while running; Together's `progress.seconds_remaining` from now). Optional:
   * polling goes near it (src/durable/poll-cadence.ts).
   */
  estimated_finish?: number | null;
  /** The caller's key the job was created with (see CreateJobInput.key), when the provider echoes it. */
  key: string | null;
}

/** One provider event, oldest first in lists. `id` is stable across polls (derived when the provider has none). */
export interface ProviderEvent {
  id: string;
  /** Unix seconds. */
  created_at: number;
  level: "info" | "warn" | "error";
  message: string;
  /** The provider's event type, when it has one (`metrics`, `job_start`, …). */
  type: string | null;
}

/** A file to upload, read as a stream (never buffered whole). */
export interface UploadInput {
  /** A stable caller key for this upload (`{jobId}-train`); providers with caller-chosen ids use it. */
  key: string;
  /** The file name to show at the provider; ends in `.jsonl`. */
  filename: string;
  /** Exact size in bytes (multipart framing and signed-URL flows need it up front). */
  bytes: number;
  /** Opens a fresh stream of the file's bytes; may be called again for a retry. */
  open(): Promise<ReadableStream<Uint8Array>>;
}

export interface UploadedFile {
  /** What createJob takes as training/validation file: OpenAI/Together file id, Fireworks dataset name. */
  id: string;
  bytes: number;
}

export interface CreateJobInput {
  /**
   * Distillery's job id. Sent so that the job can be found again after a crash between the
   * provider's answer and saving its id: OpenAI `metadata.distillery_job`, Fireworks the
   * caller-chosen job id, Together the suffix.
   */
  key: string;
  /** The base model as the provider names it. */
  baseModel: string;
  trainingFile: string;
  validationFile: string | null;
  /** Already checked against the catalog's ranges; names as the catalog spells them. */
  hyperparameters: Record<string, number>;
  /** Shown in the model name where the provider has one. */
  suffix: string | null;
  seed: number | null;
  /** Train a LoRA adapter (Together, Fireworks); ignored by OpenAI. */
  lora: boolean;
}

/**
 * A provider that trains students. Every method throws ApiError (mapped from the SDK's errors):
 * `retryable` for 429/5xx/network, final otherwise; a job id the provider does not know is `not_found`.
 */
export interface FineTuneProvider {
  readonly name: FineTuneProviderId;
  /** Where its fine-tuned models are served (an OpenAI-compatible provider of src/llm). */
  readonly inferenceProvider: Provider;
  /** Whether a fine-tune is callable as soon as the job succeeds (OpenAI), or needs a deployment first. */
  readonly servableOnSuccess: boolean;
  uploadTrainingFile(input: UploadInput): Promise<UploadedFile>;
  createJob(input: CreateJobInput): Promise<ProviderJob>;
  /** The job created earlier with `key`, or null: the lookup that makes createJob safe to repeat. */
  findJob(key: string): Promise<ProviderJob | null>;
  getJob(id: string): Promise<ProviderJob>;
  /**
   * Events newer than `after` (the id of the last event already seen), oldest first. Fireworks
   * has no events API for these jobs: always `[]` there (an unknown id is still `not_found`).
   */
  listEvents(id: string, after?: string | null): Promise<ProviderEvent[]>;
  cancel(id: string): Promise<ProviderJob>;
}
