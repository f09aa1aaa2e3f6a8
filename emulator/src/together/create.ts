import { z } from "zod";
import { invalidRequest } from "../errors";
import { buildProviderJob, checkTrainingFiles } from "../fine-tuning/provider-job";
import type { JobSpec, JobState } from "../fine-tuning/types";
import { hash32 } from "../ids";
import { EMULATOR_ORG } from "../models";
import type { Run } from "../runs/store";
import type { Services } from "../services";
import { parseOrThrow, readJsonText } from "../validation";

/** The bases Together fine-tunes here (its catalogue is far larger; these are the ones the demo uses). */
export const TOGETHER_FINE_TUNABLE = ["meta-llama/Meta-Llama-3.1-8B-Instruct-Reference"];
/** Together's LoRA batch limits for the 8B reference model; "max" resolves to the upper one. */
const BATCH = { min: 8, max: 32 };

const lora = z.looseObject({
  type: z.literal("Lora"),
  lora_r: z.number().int().min(1).max(64).default(8),
  lora_alpha: z.number().int().min(1).optional(),
  lora_dropout: z.number().min(0).max(1).default(0),
  lora_trainable_modules: z.string().default("all-linear"),
});

/** POST /fine-tunes (Together's documented body; W&B and Hugging Face fields are accepted and ignored). */
export const togetherCreateSchema = z.looseObject({
  training_file: z.string().min(1),
  validation_file: z.string().nullable().optional(),
  model: z.string().min(1),
  n_epochs: z.number().int().min(1).max(20).default(1),
  n_checkpoints: z.number().int().min(1).default(1),
  n_evals: z.number().int().min(0).max(100).default(0),
  batch_size: z.union([z.number().int().min(BATCH.min).max(BATCH.max), z.literal("max")]).default("max"),
  learning_rate: z.number().positive().max(1).default(0.00001),
  warmup_ratio: z.number().min(0).max(1).default(0),
  max_grad_norm: z.number().min(0).default(1),
  weight_decay: z.number().min(0).default(0),
  suffix: z.string().max(40, "suffix must be at most 40 characters").nullable().optional(),
  training_type: z.union([lora, z.looseObject({ type: z.literal("Full") })]).nullable().optional(),
  training_method: z.looseObject({ method: z.enum(["sft", "dpo"]), train_on_inputs: z.union([z.boolean(), z.literal("auto")]).optional() }).optional(),
  random_seed: z.number().int().nullable().optional(),
});

/** `<account>/<base name>-<suffix>-<8 hex>`, the shape Together gives its output models. */
function outputName(base: string, suffix: string | null, id: string): string {
  const name = base.split("/").pop() ?? base;
  return `${EMULATOR_ORG}/${name}-${suffix ? `${suffix}-` : ""}${hash32(id).toString(16).padStart(8, "0")}`;
}

/** Validates a create request and builds the job; 400s are Together's (OpenAI-shaped) errors. */
export function createTogetherJob(services: Services, run: Run, bodyText: string): { spec: JobSpec; state: JobState } {
  const p = parseOrThrow(togetherCreateSchema, readJsonText(bodyText));
  if (!TOGETHER_FINE_TUNABLE.includes(p.model)) {
    throw invalidRequest(`The model ${p.model} is not available for fine-tuning. Supported models: ${TOGETHER_FINE_TUNABLE.join(", ")}`, "model", "model_not_available");
  }
  if (p.training_method?.method === "dpo") throw invalidRequest("The emulator supports only training_method 'sft'.", "training_method", "unsupported_value");
  for (const [param, id] of [["training_file", p.training_file], ["validation_file", p.validation_file]] as const) {
    if (!id) continue;
    const file = services.files.get(id);
    if (file?.provider !== "together") throw invalidRequest(`${param} ${id} not found`, param, "file_not_found");
    if (file.purpose !== "fine-tune") throw invalidRequest(`File ${id} has purpose '${file.purpose}', but fine-tuning requires 'fine-tune'.`, param, "invalid_file_purpose");
  }
  const t = p.training_type ?? { type: "Lora" as const, lora_r: 8, lora_dropout: 0, lora_trainable_modules: "all-linear" };
  const trainingType = t.type === "Lora" ? { type: "Lora", lora_r: t.lora_r, lora_alpha: t.lora_alpha ?? t.lora_r * 2, lora_dropout: t.lora_dropout, lora_trainable_modules: t.lora_trainable_modules } : { type: "Full" };
  const batchSize = p.batch_size === "max" ? BATCH.max : p.batch_size;
  const id = `ft-${crypto.randomUUID()}`;
  const suffix = p.suffix ?? null;
  const checked = checkTrainingFiles(services.files, p.training_file, p.validation_file ?? null, p.model);
  return buildProviderJob({
    ...checked,
    provider: "together",
    id,
    run: run.name,
    config: run.config,
    now: services.runs.now(run.name),
    model: p.model,
    baseModel: p.model,
    trainingFile: p.training_file,
    validationFile: p.validation_file ?? null,
    epochs: p.n_epochs,
    examplesPerStep: batchSize,
    suffix,
    modelName: outputName(p.model, suffix, id),
    dialect: {
      batch_size: batchSize,
      learning_rate: p.learning_rate,
      // "If a larger number is given, the number of epochs will be used" (Together's docs).
      n_checkpoints: Math.min(p.n_checkpoints, p.n_epochs),
      n_evals: p.n_evals,
      warmup_ratio: p.warmup_ratio,
      max_grad_norm: p.max_grad_norm,
      weight_decay: p.weight_decay,
      training_type: trainingType,
      training_method: { method: "sft", train_on_inputs: p.training_method?.train_on_inputs ?? "auto" },
      random_seed: p.random_seed ?? null,
    },
  });
}
