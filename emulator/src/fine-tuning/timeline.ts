import { stableId, uniform } from "../ids";
import type { JobSpec, JobState, JobStatus } from "./types";

export interface TimelineEvent {
  id: string;
  /** Emulated ms. */
  time: number;
  level: "info" | "warn" | "error";
  message: string;
  type: "message" | "metrics";
  data: Record<string, unknown> | null;
}

export interface TimelineCheckpoint {
  id: string;
  time: number;
  step: number;
  metrics: Record<string, number>;
}

export interface JobView {
  status: JobStatus;
  /** Progress (emulated ms since creation, holds excluded) the job has reached, capped at its end. */
  progress: number;
  /** Emulated ms of the terminal transition. */
  finishedAt: number | null;
  estimatedFinish: number | null;
  error: { code: string; message: string; param: string | null } | null;
  events: TimelineEvent[];
  checkpoints: TimelineCheckpoint[];
}

/** A deterministic, decreasing training-loss curve with a little seeded noise. */
export function metricsAt(spec: JobSpec, step: number): Record<string, number> {
  const frac = step / Math.max(1, spec.steps);
  const noise = (uniform(spec.id, step) - 0.5) * 0.08;
  const loss = Number((0.15 + 2.2 * Math.exp(-4 * frac) + noise).toFixed(4));
  const accuracy = Number(Math.min(1, Math.max(0, 1 - loss / 2.6)).toFixed(4));
  const out: Record<string, number> = { step, train_loss: loss, train_mean_token_accuracy: accuracy };
  if (spec.validationFile) {
    out.valid_loss = Number((loss * 1.08).toFixed(4));
    out.valid_mean_token_accuracy = Number(Math.max(0, accuracy - 0.02).toFixed(4));
  }
  return out;
}

/** Raw progress: emulated time since creation minus completed holds. */
export function rawProgress(spec: JobSpec, state: JobState, now: number): number {
  return Math.max(0, now - spec.created - state.pauses.reduce((s, p) => s + p.ms, 0));
}

/** Progress, frozen while held once the job has started running. */
export function progressAt(spec: JobSpec, state: JobState, now: number): number {
  const raw = rawProgress(spec, state, now);
  if (!state.hold) return raw;
  return Math.min(raw, Math.max(state.hold.at, spec.durations.validating + spec.durations.queued));
}

/** The emulated time at which the job reached progress `x` (holds that ended before it added). */
export function timeAt(spec: JobSpec, state: JobState, x: number): number {
  return spec.created + x + state.pauses.filter((p) => p.at < x).reduce((s, p) => s + p.ms, 0);
}

/** The job as it reads at emulated time `now`: computed, never stored. */
export function viewJob(spec: JobSpec, state: JobState, now: number): JobView {
  const { validating: V, queued: Q, running: R } = spec.durations;
  const runStart = V + Q;
  const runEnd = runStart + R;
  const progress = progressAt(spec, state, now);
  const time = (x: number) => timeAt(spec, state, x);

  type Terminal = { at: number; time: number; status: JobStatus; error: JobView["error"]; event: string };
  const candidates: Terminal[] = [];
  if (!spec.validation.valid) {
    candidates.push({ at: V, time: time(V), status: "failed", error: { code: "invalid_training_file", message: spec.validation.error ?? "Invalid training file.", param: spec.validation.param }, event: spec.validation.error ?? "Invalid training file." });
  } else {
    if (spec.configFail) {
      const at = runStart + Math.floor(R / 4);
      candidates.push({ at, time: time(at), status: "failed", error: { code: "internal_error", message: spec.configFail, param: null }, event: spec.configFail });
    }
    candidates.push({ at: runEnd, time: time(runEnd), status: "succeeded", error: null, event: "The job has successfully completed" });
  }
  if (state.fail) candidates.push({ at: state.fail.at, time: state.fail.time, status: "failed", error: { code: "internal_error", message: state.fail.message, param: null }, event: state.fail.message });
  if (state.cancel) candidates.push({ at: state.cancel.at, time: state.cancel.time, status: "cancelled", error: null, event: "Fine-tuning job cancelled" });
  const terminal = candidates.filter((c) => c.at <= progress).sort((a, b) => a.at - b.at)[0];
  const horizon = terminal ? terminal.at : progress;

  const events: TimelineEvent[] = [];
  const checkpoints: TimelineCheckpoint[] = [];
  const add = (key: string, x: number, message: string, extra: Partial<TimelineEvent> = {}, t = time(x)) => {
    if (x <= horizon) events.push({ id: stableId("ftevent-", `${spec.id}|${key}`, 24), time: t, level: "info", message, type: "message", data: null, ...extra });
  };
  add("created", 0, `Created fine-tuning job: ${spec.id}`);
  add("validating", 0, `Validating training file: ${spec.trainingFile}${spec.validationFile ? ` and validation file: ${spec.validationFile}` : ""}`);
  if (spec.validation.valid) {
    add("validated", V, "Files validated, moving job to queued state");
    add("started", runStart, "Fine-tuning job started");
    const stride = spec.steps <= 25 ? 1 : Math.ceil(spec.steps / 25);
    const keep = new Set(Array.from({ length: 3 }, (_, k) => spec.hyperparameters.n_epochs - k).filter((e) => e >= 1));
    for (let step = 1; step <= spec.steps; step++) {
      const x = runStart + Math.floor((R * step) / spec.steps);
      if (x > horizon) break;
      const metrics = metricsAt(spec, step);
      if (step % stride === 0 || step === spec.steps) {
        add(`step-${step}`, x, `Step ${step}/${spec.steps}: training loss=${metrics.train_loss?.toFixed(2)}`, { type: "metrics", data: { ...metrics, total_steps: spec.steps } });
      }
      if (step % spec.stepsPerEpoch === 0 && keep.has(step / spec.stepsPerEpoch)) {
        checkpoints.push({ id: stableId("ftckpt_", `${spec.id}|${step}`, 24), time: time(x), step, metrics: { ...metrics, full_valid_loss: metrics.valid_loss ?? metrics.train_loss ?? 0, full_valid_mean_token_accuracy: metrics.valid_mean_token_accuracy ?? metrics.train_mean_token_accuracy ?? 0 } });
        add(`ckpt-${step}`, x, `Checkpoint created at step ${step} with Snapshot ID: ${spec.modelName}:ckpt-step-${step}`);
      }
    }
  }
  if (terminal?.status === "succeeded") {
    add("model", runEnd, `New fine-tuned model created: ${spec.modelName}`);
    add("usage", runEnd, "Usage policy evaluations completed, model is now enabled for sampling");
    add("done", runEnd, terminal.event);
  } else if (terminal) {
    add(`end-${terminal.status}`, terminal.at, terminal.event, { level: terminal.status === "failed" ? "error" : "info" }, terminal.time);
  }

  const status: JobStatus = terminal ? terminal.status : progress < V ? "validating_files" : progress < runStart ? "queued" : "running";
  return {
    status,
    progress: Math.min(progress, horizon),
    finishedAt: terminal ? terminal.time : null,
    estimatedFinish: terminal ? null : time(runEnd) + (state.hold ? Math.max(0, rawProgress(spec, state, now) - progress) : 0),
    error: terminal?.error ?? null,
    events,
    checkpoints: terminal?.status === "failed" || terminal?.status === "cancelled" ? checkpoints.filter((c) => c.step < spec.steps) : checkpoints,
  };
}
