import type { FineTuneProvider, FineTuneSpec, ModelEntry } from "../../llm";

/** OpenAI refuses a training file with fewer examples (fine-tuning guide, "Example count recommendations"). */
export const MIN_EXAMPLES = 10;

/**
 * Below this many examples we warn: OpenAI sees "clear improvements" from 50–100 examples, and
 * the seeds observed small sets degrading the student rather than teaching it.
 */
export const RECOMMENDED_EXAMPLES = 100;

/**
 * Tokens one training example may hold for OpenAI's current fine-tunable bases (gpt-4o,
 * gpt-4o-mini, gpt-4.1, -mini, -nano): the "Token limits" table of
 * platform.openai.com/docs/guides/supervised-fine-tuning gives 65,536 per example, below the
 * models' inference windows. The emulator's validator enforces the same number.
 */
export const OPENAI_EXAMPLE_TOKENS = 65_536;

/**
 * Most tokens one example may have when training `model`: the catalog's `training_context`
 * (e.g. Together's Llama 3.1 8B Reference: 131,072), else OpenAI's per-example limit for OpenAI
 * bases, else the model's context window (Fireworks trains up to the base's context).
 */
export function trainingContextOf(model: Pick<ModelEntry, "provider" | "context_window" | "training_context">): number {
  if (model.training_context !== undefined) return model.training_context;
  if (model.provider === "openai") return Math.min(OPENAI_EXAMPLE_TOKENS, model.context_window);
  return model.context_window;
}

/**
 * OpenAI's default epoch count, as the cookbook reproduces it: 3 epochs, unless that makes fewer
 * than 100 or more than 25,000 example passes; then as many epochs (1–25) as come closest.
 */
export const OPENAI_AUTO_EPOCHS = {
  target: 3,
  minTargetExamples: 100,
  maxTargetExamples: 25_000,
  minEpochs: 1,
  maxEpochs: 25,
} as const;

/** The epochs OpenAI picks for `examples` training examples when `n_epochs` is "auto". */
export function openAIAutoEpochs(examples: number): number {
  const r = OPENAI_AUTO_EPOCHS;
  if (examples <= 0) return r.target;
  if (examples * r.target < r.minTargetExamples) return Math.min(r.maxEpochs, Math.floor(r.minTargetExamples / examples));
  if (examples * r.target > r.maxTargetExamples) return Math.max(r.minEpochs, Math.floor(r.maxTargetExamples / examples));
  return r.target;
}

/**
 * Default epochs of the other trainers when the job names none: Together's `n_epochs` and
 * Fireworks' `epochs` both default to 1 (their API references); the catalog's spec wins when given.
 */
const PROVIDER_DEFAULT_EPOCHS: Record<Exclude<FineTuneProvider, "openai">, number> = { together: 1, fireworks: 1 };

/** The epochs a job will run: the number given, or the provider's own default for "auto". */
export function resolveEpochs(
  provider: FineTuneProvider,
  epochs: number | "auto" | undefined,
  examples: number,
  spec?: Pick<FineTuneSpec, "hyperparameters">,
): number {
  if (typeof epochs === "number") return epochs;
  if (provider === "openai") return openAIAutoEpochs(examples);
  const h = spec?.hyperparameters;
  return h?.n_epochs?.default ?? h?.epochs?.default ?? PROVIDER_DEFAULT_EPOCHS[provider];
}
