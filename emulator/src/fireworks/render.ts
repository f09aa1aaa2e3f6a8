import { CANCEL_SETTLE_MS, iso, phases, stepsDone } from "../fine-tuning/provider-job";
import type { FineTuning } from "../fine-tuning/service";
import type { StoredJob } from "../fine-tuning/store";
import { timeAt, type JobView } from "../fine-tuning/timeline";

export type FireworksState =
  | "JOB_STATE_CREATING"
  | "JOB_STATE_PENDING"
  | "JOB_STATE_VALIDATING"
  | "JOB_STATE_RUNNING"
  | "JOB_STATE_WRITING_RESULTS"
  | "JOB_STATE_COMPLETED"
  | "JOB_STATE_FAILED"
  | "JOB_STATE_CANCELLING"
  | "JOB_STATE_CANCELLED";

const TERMINAL = new Set<FireworksState>(["JOB_STATE_COMPLETED", "JOB_STATE_FAILED", "JOB_STATE_CANCELLED"]);

interface Reading {
  state: FireworksState;
  /** Emulated ms of the transition into `state` (updateTime; completedTime once terminal). */
  since: number;
  view: JobView;
}

/**
 * The engine's status in Fireworks' JobState words. The engine's validating and queued
 * phases read CREATING (first third of validating), PENDING (second third), then VALIDATING
 * until training starts, so an invalid dataset fails while VALIDATING; WRITING_RESULTS is the
 * finishing tail of running.
 */
export function readFireworks(ft: FineTuning, job: StoredJob): Reading {
  const { spec, state } = job;
  const view = ft.view(job);
  const now = ft.now(job);
  const ph = phases(spec);
  const at = (x: number) => timeAt(spec, state, x);
  const read = (s: FireworksState, since: number): Reading => ({ state: s, since, view });
  switch (view.status) {
    case "succeeded":
      return read("JOB_STATE_COMPLETED", view.finishedAt ?? now);
    case "failed":
      return read("JOB_STATE_FAILED", view.finishedAt ?? now);
    case "cancelled": {
      const requested = state.cancel?.time ?? now;
      return now < requested + CANCEL_SETTLE_MS ? read("JOB_STATE_CANCELLING", requested) : read("JOB_STATE_CANCELLED", requested + CANCEL_SETTLE_MS);
    }
    case "running":
      return view.progress >= ph.trainEnd ? read("JOB_STATE_WRITING_RESULTS", at(ph.trainEnd)) : read("JOB_STATE_RUNNING", at(ph.runStart));
    default: {
      const pending = Math.floor(ph.V / 3);
      const validating = Math.floor((2 * ph.V) / 3);
      if (view.progress >= validating) return read("JOB_STATE_VALIDATING", at(validating));
      if (view.progress >= pending) return read("JOB_STATE_PENDING", at(pending));
      return read("JOB_STATE_CREATING", spec.created);
    }
  }
}

/** google.rpc.Status of the job: OK while it goes well, the reason once it failed or was cancelled. */
function statusOf(r: Reading) {
  if (r.state === "JOB_STATE_FAILED") {
    const invalid = r.view.error?.code === "invalid_training_file";
    return { code: invalid ? "INVALID_ARGUMENT" : "INTERNAL", message: r.view.error?.message ?? "The job failed." };
  }
  if (r.state === "JOB_STATE_CANCELLING" || r.state === "JOB_STATE_CANCELLED") return { code: "CANCELLED", message: "The job was cancelled." };
  return { code: "OK", message: "" };
}

/** Fireworks' SupervisedFineTuningJob resource. */
export function renderFireworks(ft: FineTuning, job: StoredJob) {
  const { spec } = job;
  const d = spec.dialect ?? {};
  const r = readFireworks(ft, job);
  const done = stepsDone(spec, r.view.progress);
  const epochs = spec.hyperparameters.n_epochs;
  return {
    name: `accounts/${String(d.account)}/supervisedFineTuningJobs/${spec.id}`,
    displayName: d.displayName ?? "",
    createTime: iso(spec.created),
    ...(TERMINAL.has(r.state) ? { completedTime: iso(r.since) } : {}),
    updateTime: iso(r.since),
    state: r.state,
    status: statusOf(r),
    createdBy: "emulator@distillery.local",
    dataset: spec.trainingFile,
    ...(spec.validationFile ? { evaluationDataset: spec.validationFile } : {}),
    baseModel: spec.model,
    outputModel: spec.modelName,
    epochs,
    learningRate: d.learningRate,
    loraRank: d.loraRank,
    maxContextLength: d.maxContextLength,
    batchSize: d.batchSize,
    earlyStop: d.earlyStop,
    jobProgress: {
      percent: Math.floor((100 * done) / spec.steps),
      // Fireworks counts the epoch in progress from 0.
      epoch: Math.min(epochs - 1, Math.floor(done / spec.stepsPerEpoch)),
      inputTokens: Math.round((spec.validation.tokens * epochs * done) / spec.steps),
    },
  };
}

/** Whether the job has reached a final state (Fireworks refuses to cancel those). */
export const isFinal = (r: Reading): boolean => TERMINAL.has(r.state) || r.state === "JOB_STATE_CANCELLING";
