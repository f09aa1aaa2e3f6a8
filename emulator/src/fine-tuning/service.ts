import { OpenAIError, invalidRequest, notFound } from "../errors";
import { stableId } from "../ids";
import { ORGANIZATION_ID, catalogModel, fineTunedSpec, parseFineTunedName, type ModelSpec } from "../models";
import type { FileStore } from "../files/store";
import type { RunStore } from "../runs/store";
import { metricsAt, progressAt, rawProgress, viewJob, type JobView } from "./timeline";
import type { JobStore, StoredJob } from "./store";

const seconds = (ms: number) => Math.floor(ms / 1000);
const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);

/** Fine-tuning jobs read lazily against their run's emulated clock. */
export class FineTuning {
  constructor(
    private readonly jobs: JobStore,
    private readonly files: FileStore,
    private readonly runs: RunStore,
  ) {}

  /** An OpenAI job; other providers' jobs do not exist at /v1. */
  load(id: string): StoredJob {
    const job = this.jobs.get(id);
    if (!job || (job.spec.provider ?? "openai") !== "openai") throw notFound(`Could not find fine-tuning job: ${id}`, "fine_tuning_job_id", "fine_tuning_job_not_found");
    return job;
  }

  /** Any provider's job: the control plane addresses them all by id. */
  loadAny(id: string): StoredJob {
    const job = this.jobs.get(id);
    if (!job) throw notFound(`Could not find fine-tuning job: ${id}`, "fine_tuning_job_id", "fine_tuning_job_not_found");
    return job;
  }

  now(job: StoredJob): number {
    return this.runs.now(job.spec.run);
  }

  view(job: StoredJob): JobView {
    return viewJob(job.spec, job.state, this.now(job));
  }

  /** OpenAI's fine_tuning.job object; creates the results file the first time a job reads as succeeded. */
  render(job: StoredJob, view = this.view(job)) {
    const { spec } = job;
    const succeeded = view.status === "succeeded";
    if (succeeded && !job.state.resultFile) {
      job.state.resultFile = this.writeResults(job, view.finishedAt ?? spec.created);
      this.jobs.saveState(spec.id, job.state);
    }
    const hyperparameters = { ...spec.hyperparameters };
    return {
      object: "fine_tuning.job" as const,
      id: spec.id,
      model: spec.model,
      created_at: seconds(spec.created),
      finished_at: view.finishedAt === null ? null : seconds(view.finishedAt),
      fine_tuned_model: succeeded ? spec.modelName : null,
      organization_id: ORGANIZATION_ID,
      result_files: succeeded && job.state.resultFile ? [job.state.resultFile] : [],
      status: view.status,
      validation_file: spec.validationFile,
      training_file: spec.trainingFile,
      hyperparameters,
      method: { type: "supervised" as const, supervised: { hyperparameters } },
      trained_tokens: succeeded ? spec.validation.tokens * spec.hyperparameters.n_epochs : null,
      error: view.error,
      user_provided_suffix: spec.suffix,
      seed: spec.seed,
      estimated_finish: view.estimatedFinish === null ? null : seconds(view.estimatedFinish),
      integrations: spec.integrations,
      metadata: spec.metadata,
    };
  }

  private writeResults(job: StoredJob, finishedAt: number): string {
    const rows = ["step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy"];
    for (let step = 1; step <= job.spec.steps; step++) {
      const m = metricsAt(job.spec, step);
      rows.push([step, m.train_loss, m.train_mean_token_accuracy, m.valid_loss ?? "", m.valid_mean_token_accuracy ?? ""].join(","));
    }
    const id = stableId("file-", `${job.spec.id}|results`, 22);
    if (!this.files.get(id)) this.files.create(id, "step_metrics.csv", "fine-tune-results", new TextEncoder().encode(rows.join("\n") + "\n"), seconds(finishedAt));
    return id;
  }

  events(id: string, after: string | undefined, limit: number) {
    const job = this.load(id);
    const events = [...this.view(job).events].reverse();
    const start = after ? events.findIndex((e) => e.id === after) + 1 : 0;
    const page = events.slice(start, start + limit);
    return {
      object: "list" as const,
      data: page.map((e) => ({ object: "fine_tuning.job.event" as const, id: e.id, created_at: seconds(e.time), level: e.level, message: e.message, data: e.data ?? {}, type: e.type })),
      has_more: start + limit < events.length,
    };
  }

  checkpoints(id: string, after: string | undefined, limit: number) {
    const job = this.load(id);
    const checkpoints = [...this.view(job).checkpoints].reverse();
    const start = after ? checkpoints.findIndex((c) => c.id === after) + 1 : 0;
    const page = checkpoints.slice(start, start + limit);
    return {
      object: "list" as const,
      data: page.map((c) => ({
        object: "fine_tuning.job.checkpoint" as const,
        id: c.id,
        created_at: seconds(c.time),
        fine_tuned_model_checkpoint: `${job.spec.modelName}:ckpt-step-${c.step}`,
        fine_tuning_job_id: job.spec.id,
        metrics: c.metrics,
        step_number: c.step,
      })),
      has_more: start + limit < checkpoints.length,
      first_id: page[0]?.id ?? null,
      last_id: page[page.length - 1]?.id ?? null,
    };
  }

  /** Stops a job that is not finished; OpenAI answers 400 for a finished one. */
  cancel(id: string) {
    const job = this.load(id);
    const status = this.view(job).status;
    if (!this.requestCancel(job)) throw invalidRequest(`Job ${id} has already ${status === "cancelled" ? "been cancelled" : status}; only jobs that are not finished can be cancelled.`, null, "invalid_job_state");
    return this.render(job);
  }

  /** Cancels the job now unless it has finished (false then, for the caller's own error). */
  requestCancel(job: StoredJob): boolean {
    if (TERMINAL.has(this.view(job).status)) return false;
    const now = this.now(job);
    job.state.cancel = { at: progressAt(job.spec, job.state, now), time: now };
    this.jobs.saveState(job.spec.id, job.state);
    return true;
  }

  /** Control: fail the job now with this message (any provider's job). */
  fail(id: string, message: string): StoredJob {
    const job = this.loadAny(id);
    const view = this.view(job);
    if (TERMINAL.has(view.status)) throw new OpenAIError(409, `Job ${id} is already ${view.status}.`, "invalid_request_error", null, "invalid_job_state");
    const now = this.now(job);
    job.state.fail = { at: progressAt(job.spec, job.state, now), time: now, message };
    this.jobs.saveState(id, job.state);
    return job;
  }

  /** Control: hold (the job stays running, never finishing) or release (it resumes where it stood). */
  hold(id: string, hold: boolean): StoredJob {
    const job = this.loadAny(id);
    const view = this.view(job);
    const now = this.now(job);
    if (hold && !job.state.hold) {
      if (TERMINAL.has(view.status)) throw new OpenAIError(409, `Job ${id} is already ${view.status}.`, "invalid_request_error", null, "invalid_job_state");
      job.state.hold = { at: rawProgress(job.spec, job.state, now) };
    } else if (!hold && job.state.hold) {
      const frozen = progressAt(job.spec, job.state, now);
      const pause = rawProgress(job.spec, job.state, now) - frozen;
      job.state.hold = null;
      if (pause > 0) job.state.pauses.push({ at: frozen, ms: pause });
    }
    this.jobs.saveState(id, job.state);
    return job;
  }

  /** The spec of a fine-tuned model (or checkpoint) that exists now; undefined otherwise. */
  modelSpec(name: string): ModelSpec | undefined {
    const parsed = parseFineTunedName(name);
    if (!parsed) return undefined;
    const finalName = parsed.checkpointStep === undefined ? name : name.replace(/:ckpt-step-\d+$/, "");
    const job = this.jobs.byModelName(finalName);
    const base = job && catalogModel(job.spec.baseModel);
    if (!job || !base) return undefined;
    const view = this.view(job);
    const available =
      parsed.checkpointStep === undefined ? view.status === "succeeded" : view.checkpoints.some((c) => c.step === parsed.checkpointStep);
    return available ? fineTunedSpec(name, base, seconds(view.finishedAt ?? job.spec.created)) : undefined;
  }

  /** Every OpenAI fine-tuned model that has succeeded, for GET /v1/models (other providers' models need a deployment). */
  succeededModels(): ModelSpec[] {
    return this.jobs
      .all()
      .map((job) => this.modelSpec(job.spec.modelName))
      .filter((m): m is ModelSpec => m !== undefined);
  }
}
