import type { FileStore } from "../files/store";
import { hash32 } from "../ids";
import { catalogModel } from "../models";
import { DEFAULT_DURATIONS_MS, type RunConfig } from "../runs/config";
import { tokenizer } from "../tokens";
import type { JobSpec, JobState, Provider } from "./types";
import { validateTrainingFile, type ValidationResult } from "./validate";

/** Share of `running` the providers spend finishing (Together compressing/uploading, Fireworks WRITING_RESULTS). */
export const TAIL_SHARE = 0.05;
/** How long a cancelled Together/Fireworks job reads as cancel_requested / CANCELLING (emulated ms). */
export const CANCEL_SETTLE_MS = 5_000;
/** Together and Fireworks have no 10-example floor like OpenAI's; one valid example trains. */
const MIN_EXAMPLES = 1;

export interface CheckedFiles {
  validation: ValidationResult;
  validationError: { message: string; param: string } | null;
}

/** Validates the training (and validation) file now; the verdict shows when the job's validation ends. */
export function checkTrainingFiles(files: FileStore, trainingId: string, validationId: string | null, baseModel: string): CheckedFiles {
  const tok = tokenizer(catalogModel(baseModel)?.encoding ?? "cl100k_base");
  const validation = validateTrainingFile(files.text(trainingId), tok, { minExamples: MIN_EXAMPLES });
  let validationError = validation.valid ? null : { message: validation.errors[0]?.message ?? "Invalid training file.", param: "training_file" };
  if (!validationError && validationId) {
    const v = validateTrainingFile(files.text(validationId), tok, { minExamples: MIN_EXAMPLES });
    const first = v.errors[0];
    if (first) validationError = { message: `Validation file: ${first.message}`, param: "validation_file" };
  }
  return { validation, validationError };
}

export interface ProviderJobInput extends CheckedFiles {
  provider: Exclude<Provider, "openai">;
  id: string;
  run: string;
  config: RunConfig;
  now: number;
  model: string;
  baseModel: string;
  trainingFile: string;
  validationFile: string | null;
  epochs: number;
  /** Examples per optimiser step, for the step count. */
  examplesPerStep: number;
  suffix: string | null;
  modelName: string;
  dialect: Record<string, unknown>;
}

/** A Together or Fireworks job for the shared engine, with the run's fine-tuning settings captured now. */
export function buildProviderJob(input: ProviderJobInput): { spec: JobSpec; state: JobState } {
  const ft = input.config.fine_tuning;
  const stepsPerEpoch = Math.max(1, Math.ceil(input.validation.examples / Math.max(1, input.examplesPerStep)));
  const spec: JobSpec = {
    id: input.id,
    provider: input.provider,
    dialect: input.dialect,
    run: input.run,
    model: input.model,
    baseModel: input.baseModel,
    created: input.now,
    trainingFile: input.trainingFile,
    validationFile: input.validationFile,
    hyperparameters: { n_epochs: input.epochs, batch_size: input.examplesPerStep, learning_rate_multiplier: 1 },
    suffix: input.suffix,
    seed: hash32(input.id) % 2_147_483_647,
    metadata: null,
    integrations: [],
    durations: { ...DEFAULT_DURATIONS_MS, ...ft?.durations_ms },
    configFail: ft?.fail ?? null,
    validation: {
      valid: input.validationError === null,
      examples: input.validation.examples,
      tokens: input.validation.tokens,
      error: input.validationError?.message ?? null,
      param: input.validationError?.param ?? "training_file",
    },
    modelName: input.modelName,
    stepsPerEpoch,
    steps: stepsPerEpoch * input.epochs,
  };
  const state: JobState = { pauses: [], hold: ft?.hold_running ? { at: 0 } : null, cancel: null, fail: null, resultFile: null };
  return { spec, state };
}

/** Phase boundaries on the progress scale; training ends where the finishing tail begins. */
export function phases(spec: JobSpec) {
  const { validating: V, queued: Q, running: R } = spec.durations;
  const runStart = V + Q;
  const runEnd = runStart + R;
  return { V, runStart, runEnd, trainEnd: runEnd - Math.ceil(R * TAIL_SHARE) };
}

/** Progress at which training step `step` (1-based) completes. */
export function stepDoneAt(spec: JobSpec, step: number): number {
  const { runStart, trainEnd } = phases(spec);
  return runStart + Math.floor(((trainEnd - runStart) * step) / spec.steps);
}

/** Training steps completed by progress `x`. */
export function stepsDone(spec: JobSpec, x: number): number {
  const { runStart, trainEnd } = phases(spec);
  if (x < runStart) return 0;
  if (x >= trainEnd) return spec.steps;
  return Math.min(spec.steps, Math.floor(((x - runStart) * spec.steps) / Math.max(1, trainEnd - runStart)));
}

/** RFC 3339 / ISO-8601 with milliseconds, as both providers print times. */
export const iso = (ms: number): string => new Date(ms).toISOString();
