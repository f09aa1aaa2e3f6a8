import { CANCEL_SETTLE_MS, iso, phases, stepDoneAt, stepsDone } from "../fine-tuning/provider-job";
import type { FineTuning } from "../fine-tuning/service";
import type { StoredJob } from "../fine-tuning/store";
import { timeAt, type JobView } from "../fine-tuning/timeline";
import { EMULATOR_ORG } from "../models";

export type TogetherStatus = "pending" | "queued" | "running" | "compressing" | "uploading" | "cancel_requested" | "cancelled" | "error" | "user_error" | "completed";

interface Reading {
  status: TogetherStatus;
  /** Emulated ms of the transition into `status` (Together's updated_at). */
  since: number;
  view: JobView;
  now: number;
}

/** The engine's generic status in Together's words; compressing/uploading split the finishing tail of `running`. */
export function readTogether(ft: FineTuning, job: StoredJob): Reading {
  const { spec, state } = job;
  const view = ft.view(job);
  const now = ft.now(job);
  const ph = phases(spec);
  const at = (x: number) => timeAt(spec, state, x);
  const read = (status: TogetherStatus, since: number): Reading => ({ status, since, view, now });
  switch (view.status) {
    case "succeeded":
      return read("completed", view.finishedAt ?? now);
    case "failed":
      return read(view.error?.code === "invalid_training_file" ? "user_error" : "error", view.finishedAt ?? now);
    case "cancelled": {
      const requested = state.cancel?.time ?? now;
      return now < requested + CANCEL_SETTLE_MS ? read("cancel_requested", requested) : read("cancelled", requested + CANCEL_SETTLE_MS);
    }
    case "validating_files":
      return read("pending", spec.created);
    case "queued":
      return read("queued", at(ph.V));
    case "running": {
      const upload = ph.trainEnd + Math.floor((ph.runEnd - ph.trainEnd) / 2);
      if (view.progress >= upload) return read("uploading", at(upload));
      if (view.progress >= ph.trainEnd) return read("compressing", at(ph.trainEnd));
      return read("running", at(ph.runStart));
    }
  }
}

interface RawEvent {
  time: number;
  type: string;
  message: string;
  level?: "info" | "warning" | "error";
  step?: number;
  token_count?: number;
}

/** Together's events for the job so far, oldest first (types from its FinetuneEventType enum). */
export function togetherEvents(job: StoredJob, r: Reading) {
  const { spec, state } = job;
  const ph = phases(spec);
  const at = (x: number) => timeAt(spec, state, x);
  const out: RawEvent[] = [];
  const add = (x: number, e: Omit<RawEvent, "time">) => {
    if (x <= r.view.progress) out.push({ time: at(x), ...e });
  };
  add(0, { type: "job_pending", message: "Fine tune request created" });
  if (spec.validation.valid) {
    add(ph.runStart, { type: "job_start", message: `Job started at ${iso(at(ph.runStart))}` });
    add(ph.runStart, { type: "model_download_complete", message: `Model data downloaded for ${spec.model}` });
    add(ph.runStart, { type: "training_data_download_complete", message: `Training data downloaded for ${spec.trainingFile}`, token_count: spec.validation.tokens });
    add(ph.runStart, { type: "training_start", message: `Training started for model ${spec.model}` });
    const epochs = spec.hyperparameters.n_epochs;
    const nCheckpoints = Number(spec.dialect?.n_checkpoints ?? 1);
    const saves = new Set(Array.from({ length: nCheckpoints }, (_, k) => Math.round(((k + 1) * epochs) / nCheckpoints)));
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const step = epoch * spec.stepsPerEpoch;
      add(stepDoneAt(spec, step), { type: "epoch_complete", message: `Epoch completed, at step ${step}`, step });
      if (saves.has(epoch)) add(stepDoneAt(spec, step), { type: "checkpoint_save", message: `New checkpoint saved at step ${step}`, step });
    }
    const upload = ph.trainEnd + Math.floor((ph.runEnd - ph.trainEnd) / 2);
    add(ph.trainEnd, { type: "training_complete", message: `Training completed for ${spec.model} at ${iso(at(ph.trainEnd))}` });
    add(ph.trainEnd, { type: "model_compressing", message: `Compressing output model` });
    add(upload, { type: "model_compression_complete", message: "Model compression complete" });
    add(upload, { type: "model_uploading", message: `Uploading output model` });
  }
  if (r.status === "completed") {
    out.push({ time: r.since, type: "model_upload_complete", message: `Model upload complete: ${spec.modelName}` });
    out.push({ time: r.since, type: "job_complete", message: `Job finished at ${iso(r.since)}` });
  } else if (r.status === "error" || r.status === "user_error") {
    out.push({ time: r.since, type: "job_error", level: "error", message: r.view.error?.message ?? "The job failed." });
  } else if (r.status === "cancel_requested" || r.status === "cancelled") {
    out.push({ time: state.cancel?.time ?? r.since, type: "cancel_requested", message: "Job cancellation requested" });
    if (r.status === "cancelled") out.push({ time: r.since, type: "job_stopped", message: "Job was stopped" });
  }
  out.sort((a, b) => a.time - b.time);
  return out.map((e) => ({
    object: "fine-tune-event" as const,
    created_at: iso(e.time),
    level: e.level ?? "info",
    message: e.message,
    type: e.type,
    param_count: 0,
    token_count: e.token_count ?? 0,
    total_steps: spec.steps,
    wandb_url: "",
    step: e.step ?? 0,
    checkpoint_path: "",
    model_path: r.status === "completed" && e.type === "job_complete" ? spec.modelName : "",
    training_offset: 0,
    hash: "",
  }));
}

/** Together's fine-tune object; `withEvents` for GET /fine-tunes/{id} (list, create and cancel answer the truncated form). */
export function renderTogether(ft: FineTuning, job: StoredJob, withEvents = false) {
  const { spec } = job;
  const r = readTogether(ft, job);
  const d = spec.dialect ?? {};
  const ph = phases(spec);
  const validated = spec.validation.valid && r.view.progress >= ph.V;
  const finished = ["completed", "error", "user_error", "cancelled", "cancel_requested"].includes(r.status);
  const remaining = r.view.estimatedFinish === null ? 0 : Math.max(0, Math.ceil((r.view.estimatedFinish - r.now) / 1000));
  return {
    id: spec.id,
    status: r.status,
    created_at: iso(spec.created),
    updated_at: iso(r.since),
    ...(r.view.progress >= ph.runStart ? { started_at: iso(timeAt(spec, job.state, ph.runStart)) } : {}),
    user_id: EMULATOR_ORG,
    owner_address: EMULATOR_ORG,
    model: spec.model,
    model_output_name: spec.modelName,
    // The brief's name for model_output_name, kept as an alias so either reads the same model.
    output_name: spec.modelName,
    suffix: spec.suffix ?? "",
    training_file: spec.trainingFile,
    validation_file: spec.validationFile ?? "",
    n_epochs: spec.hyperparameters.n_epochs,
    n_checkpoints: d.n_checkpoints,
    n_evals: d.n_evals,
    batch_size: d.batch_size,
    learning_rate: d.learning_rate,
    warmup_ratio: d.warmup_ratio,
    max_grad_norm: d.max_grad_norm,
    weight_decay: d.weight_decay,
    training_type: d.training_type,
    training_method: d.training_method,
    random_seed: d.random_seed ?? null,
    token_count: validated ? spec.validation.tokens : 0,
    ...(r.status === "completed" ? { trained_tokens: spec.validation.tokens * spec.hyperparameters.n_epochs } : {}),
    epochs_completed: Math.floor(stepsDone(spec, r.view.progress) / spec.stepsPerEpoch),
    queue_depth: 0,
    progress: { estimate_available: !finished, seconds_remaining: finished ? 0 : remaining },
    events: withEvents ? togetherEvents(job, r) : [],
  };
}
