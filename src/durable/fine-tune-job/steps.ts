import type { Bindings } from "../../env";
import { ApiError } from "../../errors";
import { isTerminal, type JobRecord, type JobState, type PinnedFile } from "./record";
import { MAX_POLL_FAILURES, MAX_SUBMIT_FAILURES } from "./schedule";
import { errorDelayMs, nextPollDelayMs, statusChanged, type PollCadence } from "../poll-cadence";
import type { FineTuneProvider, ProviderEvent, ProviderJob, UploadInput } from "../../providers/types";
import { nowIso } from "../../lib/clock";

/** What a step needs from the job's object. */
export interface StepContext {
  readonly job: JobRecord;
  readonly env: Bindings;
  readonly cadence: PollCadence;
  provider(): FineTuneProvider;
  /** Persists the record now: called before every provider call whose result must not be lost or repeated. */
  save(): void;
  /** Records a Distillery event (state changes, retries) in the job's event list. */
  note(message: string, level?: ProviderEvent["level"], type?: string): void;
  addProviderEvents(events: ProviderEvent[]): void;
}

const now = nowIso;

/** Moves the job to `state`, with its timeline event. */
export function transition(ctx: StepContext, state: JobState, detail?: string): void {
  const { job } = ctx;
  if (job.state === state) return;
  job.state = state;
  job.updated_at = now();
  if (state === "submitted") job.timings.submitted_at ??= job.updated_at;
  if (state === "running") job.timings.started_at ??= job.updated_at;
  if (isTerminal(state)) job.timings.finished_at ??= job.updated_at;
  ctx.note(detail ? `${state}: ${detail}` : state, state === "failed" ? "error" : "info", "state");
}

/** Ends the job as failed with this error (a provider 4xx, a changed dataset, a cutoff passed). */
export function failJob(ctx: StepContext, code: string, message: string): void {
  ctx.job.error = { code, message };
  transition(ctx, "failed", message);
}

/**
 * One alarm's work: upload, create, or poll, as far as the job's state allows. Returns the delay
 * before the next alarm, or null when the job needs none (finished and notified).
 */
export async function advanceJob(ctx: StepContext): Promise<number | null> {
  const { job } = ctx;
  if (isTerminal(job.state)) return null;
  if (!job.provider_job_id) {
    if (job.cancel_requested && !job.create_attempted) {
      transition(ctx, "cancelled", "cancelled before a provider job was created");
      return null;
    }
    await submit(ctx);
    if (isTerminal(job.state)) return null;
    return nextPollDelay(ctx);
  }
  await poll(ctx);
  return isTerminal(job.state) ? null : nextPollDelay(ctx);
}

/** The wait before the job's next poll: the shared cadence, from the polls since its status changed and the provider's estimate. */
export function nextPollDelay(ctx: Pick<StepContext, "job" | "cadence">): number {
  const { job } = ctx;
  const estimate = job.estimated_finish ?? null;
  // Date.now(), not the clock seam: the estimate is the provider's real time, as alarms are ours.
  return nextPollDelayMs({ pollsSinceChange: job.poll.count, nowMs: Date.now(), estimatedFinishMs: estimate === null ? null : estimate * 1000 }, ctx.cadence);
}

/** Upload the pinned files, then create the provider job: each step saved before the next. */
async function submit(ctx: StepContext): Promise<void> {
  const { job } = ctx;
  const provider = ctx.provider();
  if (job.state === "created") transition(ctx, "uploading");
  if (!job.dataset) throw new ApiError("internal", "A created job has no dataset.");

  if (!job.training_file_id) {
    job.training_file_id = (await provider.uploadTrainingFile(uploadInput(ctx, job.dataset.train, "train"))).id;
    ctx.note(`uploaded train split (${job.dataset.train.lines} examples, ${job.dataset.train.bytes} bytes): ${job.training_file_id}`);
    ctx.save();
  }
  if (job.validation === "eval-split" && job.dataset.eval && !job.validation_file_id) {
    job.validation_file_id = (await provider.uploadTrainingFile(uploadInput(ctx, job.dataset.eval, "eval"))).id;
    ctx.note(`uploaded eval split (${job.dataset.eval.lines} examples): ${job.validation_file_id}`);
    ctx.save();
  }
  if (job.cancel_requested && !job.create_attempted) {
    transition(ctx, "cancelled", "cancelled before a provider job was created");
    return;
  }

  // A restart after the provider answered but before its id was saved finds that job instead of
  // creating a second one.
  let created: ProviderJob | null = job.create_attempted ? await provider.findJob(job.id) : null;
  if (created) ctx.note(`found the provider job created before a restart: ${created.id}`, "warn");
  if (!created) {
    if (job.new_jobs_cutoff && now().slice(0, 10) >= job.new_jobs_cutoff) {
      failJob(ctx, "provider_closed", `${job.provider} stopped accepting new fine-tuning jobs on ${job.new_jobs_cutoff}.`);
      return;
    }
    job.create_attempted = true;
    ctx.save();
    created = await provider.createJob({
      key: job.id,
      baseModel: job.provider_base_model,
      trainingFile: job.training_file_id,
      validationFile: job.validation_file_id,
      hyperparameters: job.hyperparameters,
      suffix: job.suffix,
      seed: job.seed,
      lora: job.lora,
    });
  }
  job.provider_job_id = created.id;
  transition(ctx, "submitted", `${job.provider} job ${created.id}`);
  ctx.save();
  applyProviderJob(ctx, created);
}

function uploadInput(ctx: StepContext, file: PinnedFile, split: "train" | "eval"): UploadInput {
  const { job, env } = ctx;
  return {
    key: `${job.id}-${split}`,
    filename: `${job.dataset?.name ?? job.id}-${split}.jsonl`,
    bytes: file.bytes,
    async open() {
      // Only the pinned version: a dataset file rewritten since the job was created is not what it trains on.
      const object = await env.DATA.get(file.key, { onlyIf: { etagMatches: file.etag } });
      if (!object || !("body" in object)) {
        throw new ApiError("conflict", `The dataset's ${split} file changed or disappeared since the job was created (sha256 ${file.sha256}).`, {
          retryable: false,
        });
      }
      return object.body;
    },
  };
}

/** Reads the provider's job (and new events), sending a pending cancel first. */
async function poll(ctx: StepContext): Promise<void> {
  const { job } = ctx;
  const provider = ctx.provider();
  const id = job.provider_job_id!;
  if (job.cancel_requested && !job.cancel_sent) {
    const after = await provider.cancel(id);
    job.cancel_sent = true;
    ctx.note(`cancel sent to ${job.provider}`);
    applyProviderJob(ctx, after);
    if (isTerminal(job.state)) return;
  }
  const current = await provider.getJob(id);
  // Events only when the status moved: they explain the change, and the cursor keeps the lines
  // logged in between for then (one call a poll instead of two on OpenAI and Together).
  if (statusChanged(job.provider_status, current.provider_status)) {
    const events = await provider.listEvents(id, job.last_event_id);
    ctx.addProviderEvents(events);
    if (events.length) job.last_event_id = events[events.length - 1]!.id;
  }
  job.poll.count++;
  applyProviderJob(ctx, current);
}

/** Takes the provider's view of the job: status, model, tokens, error. */
export function applyProviderJob(ctx: StepContext, pj: ProviderJob): void {
  const { job } = ctx;
  // A new status restarts the short polls: the next change is likelier soon after one. Only our
  // own statuses count: a provider's finer steps (Together's compressing, uploading) do not.
  if (job.state !== pj.status) job.poll.count = 0;
  job.provider_status = pj.provider_status;
  // Only a running job has one (OpenAI's is null otherwise); a stale one would hold polls back.
  job.estimated_finish = pj.estimated_finish ?? null;
  job.poll.failures = 0;
  job.poll.last_error = null;
  if (pj.trained_tokens !== null) job.trained_tokens = pj.trained_tokens;
  if (pj.fine_tuned_model) job.fine_tuned_model = pj.fine_tuned_model;
  if (pj.status === "failed") {
    failJob(ctx, pj.error?.code ?? "provider_failed", pj.error?.message ?? `The ${job.provider} job failed.`);
  } else if (pj.status === "succeeded" && !pj.fine_tuned_model) {
    failJob(ctx, "no_model", `The ${job.provider} job succeeded without naming a model.`);
  } else {
    transition(ctx, pj.status, `${job.provider} says ${pj.provider_status}`);
  }
  job.updated_at = now();
}

/**
 * A step threw. A retryable failure (429, 5xx, network) waits and tries again; a final one (a
 * provider 4xx) fails the job with the provider's message; anything else is treated as transient,
 * within a bound, because a throw out of alarm() would only be retried a few times by the platform.
 */
export function onStepError(ctx: StepContext, err: unknown): number | null {
  const { job } = ctx;
  const api = err instanceof ApiError ? err : null;
  if (api && !api.retryable) {
    failJob(ctx, api.code, api.message);
    return null;
  }
  job.poll.failures++;
  const message = api ? api.message : err instanceof Error ? err.message : String(err);
  job.poll.last_error = message;
  const limit = job.provider_job_id ? MAX_POLL_FAILURES : MAX_SUBMIT_FAILURES;
  if (job.poll.failures >= limit) {
    failJob(ctx, api?.code ?? "internal", `Gave up after ${job.poll.failures} failed attempts in a row: ${message}`);
    return null;
  }
  ctx.note(`attempt failed (${job.poll.failures} in a row), retrying: ${message}`, "warn", "retry");
  return errorDelayMs(job.poll.failures, api?.retryAfterMs, ctx.cadence);
}
