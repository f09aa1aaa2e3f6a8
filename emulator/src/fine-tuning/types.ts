/** The API a job was created through; it decides how the job reads (its "dialect"). */
export type Provider = "openai" | "together" | "fireworks";

/** What a job was created with; never changes. */
export interface JobSpec {
  id: string;
  /** Absent on rows written before other providers existed: those are OpenAI jobs. */
  provider?: Provider;
  /** Provider-specific request fields, echoed back by that provider's renderer. */
  dialect?: Record<string, unknown>;
  run: string;
  /** The model as requested (may itself be a fine-tuned model). */
  model: string;
  /** The catalogue base the fine-tuned model inherits from. */
  baseModel: string;
  /** Creation time on the run's emulated clock (ms). */
  created: number;
  trainingFile: string;
  validationFile: string | null;
  hyperparameters: { n_epochs: number; batch_size: number; learning_rate_multiplier: number };
  suffix: string | null;
  seed: number;
  metadata: Record<string, string> | null;
  integrations: unknown[];
  durations: { validating: number; queued: number; running: number };
  /** From the run's `fine_tuning.fail`: the job fails a quarter of the way through running. */
  configFail: string | null;
  validation: { valid: boolean; examples: number; tokens: number; error: string | null; param: string };
  modelName: string;
  stepsPerEpoch: number;
  steps: number;
}

/** What control calls change after creation. Progress values are emulated ms since creation, pauses excluded. */
export interface JobState {
  /** Holds that ended: progress stood still at `at` for `ms`. */
  pauses: Array<{ at: number; ms: number }>;
  /** An ongoing hold, begun at raw progress `at`; it freezes the job once it is running. */
  hold: { at: number } | null;
  cancel: { at: number; time: number } | null;
  fail: { at: number; time: number; message: string } | null;
  resultFile: string | null;
}

export type JobStatus = "validating_files" | "queued" | "running" | "succeeded" | "failed" | "cancelled";
