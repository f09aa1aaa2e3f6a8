import { z } from "zod";

/** Every provider a model can be served by; each is reached through an OpenAI-compatible endpoint. */
export const providerSchema = z.enum(["openai", "together", "fireworks", "workers-ai", "openai-compatible"]);
export type Provider = z.infer<typeof providerSchema>;

/** Providers that can train a student (see src/providers/). */
export const fineTuneProviderSchema = z.enum(["openai", "together", "fireworks"]);
export type FineTuneProvider = z.infer<typeof fineTuneProviderSchema>;

/** How tokens are counted for a model; `estimate` (chars / 4) for tokenizers we do not ship. */
export const encodingSchema = z.enum(["cl100k_base", "o200k_base", "estimate"]);
export type TokenEncoding = z.infer<typeof encodingSchema>;

const usd = z.number().nonnegative();

/** USD per 1M tokens. */
export const pricesSchema = z.strictObject({
  input: usd,
  output: usd,
  /** Per 1M trained tokens (file tokens × epochs), for fine-tunable bases. */
  training: usd.optional(),
  /** What serving a fine-tune of this base costs, when the provider charges more than for the base. */
  fine_tuned: z.strictObject({ input: usd, output: usd }).optional(),
});
export type Prices = z.infer<typeof pricesSchema>;

/** A model's announced shutdown, with its source, so a reader can check it. */
export const retirementSchema = z.strictObject({
  date: z.iso.date().nullable(),
  source: z.string().min(1),
});
export type Retirement = z.infer<typeof retirementSchema>;

const modelShape = {
  id: z.string().min(1),
  provider: providerSchema,
  /** The provider's own name for the model, when it differs from `id`. */
  model: z.string().min(1).optional(),
  kind: z.enum(["chat", "embedding"]),
  supports_tools: z.boolean(),
  supports_response_format: z.enum(["json_schema", "json_object", "none"]),
  /**
   * The chat-completions parameters the provider accepts for this model (beside `model`, `messages`,
   * `stream`, `stream_options`): `/openai/v1` refuses any other with a 400 naming it, never dropping it.
   * Absent: every parameter `/openai/v1` passes through (src/serving/params.ts).
   */
  supported_params: z.array(z.string().min(1)).optional(),
  context_window: z.int().positive(),
  max_output_tokens: z.int().positive(),
  encoding: encodingSchema,
  embedding_dimensions: z.int().positive().optional(),
  /**
   * An embedding model's per-request limits at its provider: inputs per request, and tokens summed
   * over them (each input is also held to `context_window`). Batches are planned within them.
   */
  embedding_request: z.strictObject({ max_inputs: z.int().positive(), max_tokens: z.int().positive() }).optional(),
  prices: pricesSchema,
  /** Most tokens one fine-tuning example may hold on this base, where it differs from the window. */
  training_context: z.int().positive().optional(),
  /** Set on fine-tuned models: the catalog id they inherit everything else from. */
  base_model: z.string().min(1).optional(),
  /**
   * When the provider shuts the model down (UTC date; the model answers nothing from that day),
   * or null when none is announced, with where that was read. Fine-tunes inherit their base's.
   */
  retirement: retirementSchema.optional(),
};

/** One model as callers see it: `id` is the name used everywhere in Distillery. */
export const modelEntrySchema = z
  .strictObject(modelShape)
  .refine((m) => m.kind !== "embedding" || m.embedding_dimensions !== undefined, {
    message: "embedding models need embedding_dimensions",
    path: ["embedding_dimensions"],
  })
  .refine((m) => m.kind !== "embedding" || m.embedding_request !== undefined, {
    message: "embedding models need embedding_request (their provider's per-request limits)",
    path: ["embedding_request"],
  })
  .refine((m) => m.max_output_tokens <= m.context_window, {
    message: "max_output_tokens cannot exceed context_window",
    path: ["max_output_tokens"],
  });

/** A resolved model: `model` is always the name to send upstream. */
export type ModelEntry = Omit<z.infer<typeof modelEntrySchema>, "model"> & { model: string };

/**
 * A catalog entry as written in configuration: complete; or `{id, base_model, …}` naming the base
 * it inherits from (a fine-tune registered in MODEL_CATALOG); or, in MODEL_CATALOG, the fields to
 * change on an existing id.
 */
export const modelEntryInputSchema = z
  .strictObject(modelShape)
  .partial()
  .extend({ id: modelShape.id, prices: pricesSchema.partial().optional() });
export type ModelEntryInput = z.infer<typeof modelEntryInputSchema>;

/** An inclusive range for one hyperparameter, with the value used when the caller gives none. */
export const rangeSchema = z
  .strictObject({ min: z.number(), max: z.number(), default: z.number().optional(), integer: z.boolean().optional() })
  .refine((r) => r.min <= r.max, { message: "min must not exceed max" })
  .refine((r) => r.default === undefined || (r.default >= r.min && r.default <= r.max), {
    message: "default must lie within [min, max]",
  });
export type HyperparameterRange = z.infer<typeof rangeSchema>;

/** What one fine-tune provider can train and within which limits. */
export const fineTuneSpecSchema = z.strictObject({
  /** Catalog ids of the models this provider can fine-tune. */
  base_models: z.array(z.string().min(1)).min(1),
  hyperparameters: z.record(z.string(), rangeSchema),
  /** Whether jobs train a LoRA adapter unless told otherwise. */
  lora_default: z.boolean().optional(),
  /** Last day (UTC, exclusive) the provider accepts new jobs. */
  new_jobs_cutoff: z.iso.date().optional(),
});
export type FineTuneSpec = z.infer<typeof fineTuneSpecSchema>;

export const defaultsSchema = z.strictObject({
  teacher: z.string().min(1),
  judge: z.string().min(1),
  embedding: z.string().min(1),
});
export type CatalogDefaults = z.infer<typeof defaultsSchema>;

/** The catalog as written (built in, or merged with MODEL_CATALOG) before validation. */
export const catalogInputSchema = z.strictObject({
  models: z.array(modelEntryInputSchema),
  fine_tuning: z.partialRecord(fineTuneProviderSchema, fineTuneSpecSchema),
  defaults: defaultsSchema,
});
export type CatalogInput = z.infer<typeof catalogInputSchema>;

/** A validated catalog: every entry complete, every reference checked. */
export interface Catalog {
  readonly models: readonly ModelEntry[];
  readonly byId: ReadonlyMap<string, ModelEntry>;
  readonly fine_tuning: Partial<Record<FineTuneProvider, FineTuneSpec>>;
  readonly defaults: CatalogDefaults;
}
