import { z } from "zod";
import { invalidRequest } from "../errors";
import { hash32, randomId, stableId } from "../ids";
import { EMULATOR_ORG } from "../models";
import { DEFAULT_DURATIONS_MS, type RunConfig } from "../runs/config";
import type { JobSpec } from "./types";
import type { ValidationResult } from "./validate";

const hyperparametersSchema = z.looseObject({
  n_epochs: z.union([z.literal("auto"), z.number().int().min(1).max(50)]).optional(),
  batch_size: z.union([z.literal("auto"), z.number().int().min(1).max(256)]).optional(),
  learning_rate_multiplier: z.union([z.literal("auto"), z.number().positive().max(10)]).optional(),
});

/** POST /v1/fine_tuning/jobs. */
export const createJobSchema = z.looseObject({
  model: z.string().min(1),
  training_file: z.string().min(1),
  validation_file: z.string().nullable().optional(),
  hyperparameters: hyperparametersSchema.optional(),
  method: z
    .looseObject({
      type: z.enum(["supervised", "dpo", "reinforcement"]),
      supervised: z.looseObject({ hyperparameters: hyperparametersSchema.optional() }).optional(),
    })
    .optional(),
  suffix: z.string().max(64, "suffix must be at most 64 characters").nullable().optional(),
  seed: z.number().int().min(0).max(2_147_483_647).nullable().optional(),
  metadata: z.record(z.string().max(64), z.string().max(512)).nullable().optional(),
  integrations: z.array(z.unknown()).nullable().optional(),
});

export type CreateJobParams = z.infer<typeof createJobSchema>;
type Hyper = z.infer<typeof hyperparametersSchema>;

/** OpenAI's "auto" choices: ~3 epochs (more for tiny sets, fewer for huge), batch ≈ 0.2% of examples. */
export function resolveHyperparameters(given: Hyper, examples: number): JobSpec["hyperparameters"] {
  const autoEpochs = examples === 0 ? 3 : examples * 3 < 100 ? Math.min(25, Math.ceil(100 / examples)) : examples * 3 > 25_000 ? Math.max(1, Math.floor(25_000 / examples)) : 3;
  return {
    n_epochs: given.n_epochs === undefined || given.n_epochs === "auto" ? autoEpochs : given.n_epochs,
    batch_size: given.batch_size === undefined || given.batch_size === "auto" ? Math.min(256, Math.max(1, Math.ceil(examples * 0.002))) : given.batch_size,
    learning_rate_multiplier: given.learning_rate_multiplier === undefined || given.learning_rate_multiplier === "auto" ? 1.8 : given.learning_rate_multiplier,
  };
}

/** The immutable part of a new job, with the run's fine-tuning settings captured now. */
export function buildJobSpec(
  params: CreateJobParams,
  opts: { run: string; config: RunConfig; now: number; baseModel: string; validation: ValidationResult; validationError: { message: string; param: string } | null },
): JobSpec {
  if (params.method && params.method.type !== "supervised") {
    throw invalidRequest(`The emulator supports only supervised fine-tuning, not '${params.method.type}'.`, "method.type", "unsupported_value");
  }
  if (params.metadata && Object.keys(params.metadata).length > 16) {
    throw invalidRequest("Invalid 'metadata': too many properties. Expected an object with at most 16 properties.", "metadata", "object_above_max_properties");
  }
  const id = randomId("ftjob-", 24);
  const examples = opts.validation.examples;
  const hyperparameters = resolveHyperparameters(params.method?.supervised?.hyperparameters ?? params.hyperparameters ?? {}, examples);
  const stepsPerEpoch = Math.max(1, Math.ceil(examples / hyperparameters.batch_size));
  const ft = opts.config.fine_tuning;
  return {
    id,
    run: opts.run,
    model: params.model,
    baseModel: opts.baseModel,
    created: opts.now,
    trainingFile: params.training_file,
    validationFile: params.validation_file ?? null,
    hyperparameters,
    suffix: params.suffix ?? null,
    seed: params.seed ?? hash32(id) % 2_147_483_647,
    metadata: params.metadata ?? null,
    integrations: params.integrations ?? [],
    durations: { ...DEFAULT_DURATIONS_MS, ...ft?.durations_ms },
    configFail: ft?.fail ?? null,
    validation: {
      valid: opts.validationError === null,
      examples,
      tokens: opts.validation.tokens,
      error: opts.validationError?.message ?? null,
      param: opts.validationError?.param ?? "training_file",
    },
    modelName: `ft:${opts.baseModel}:${EMULATOR_ORG}:${params.suffix ?? ""}:${stableId("", id, 8)}`,
    stepsPerEpoch,
    steps: stepsPerEpoch * hyperparameters.n_epochs,
  };
}
