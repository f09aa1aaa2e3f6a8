import type { ModelEntry } from "./catalog-schema";

const PER = 1_000_000;

/** Tokens a call used, as providers report them (`usage.prompt_tokens`, `usage.completion_tokens`). */
export interface TokenUsage {
  input: number;
  output: number;
}

/** USD a call cost at the model's catalog prices (a fine-tune's entry already carries its serving price). */
export function costUsd(model: Pick<ModelEntry, "prices">, usage: TokenUsage): number {
  return (usage.input * model.prices.input + usage.output * model.prices.output) / PER;
}

/**
 * USD to train on `tokens` tokens for `epochs` epochs (providers bill file tokens × epochs), or
 * undefined when the catalog has no training price for the model.
 */
export function trainingCostUsd(model: Pick<ModelEntry, "prices">, tokens: number, epochs = 1): number | undefined {
  const price = model.prices.training;
  return price === undefined ? undefined : (tokens * epochs * price) / PER;
}
