/**
 * The API's one hyperparameter vocabulary is OpenAI's (`n_epochs`, `batch_size`,
 * `learning_rate_multiplier`, plus `lora_rank`, `lora_alpha`); these are the providers whose own
 * names differ, common name → provider's name. Requests are translated in (src/jobs/hyperparameters.ts),
 * a job's resolved hyperparameters back out (the job view).
 */
export const COMMON_NAMES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  together: { lora_rank: "lora_r", learning_rate_multiplier: "learning_rate" },
  fireworks: { n_epochs: "epochs", learning_rate_multiplier: "learning_rate" },
};

/** Resolved hyperparameters (the provider's names) in the common vocabulary; an absolute `learning_rate` keeps its name. */
export function inCommonNames(provider: string, resolved: Record<string, number>): Record<string, number> {
  const back = new Map(
    Object.entries(COMMON_NAMES[provider] ?? {})
      .filter(([common]) => common !== "learning_rate_multiplier")
      .map(([common, own]) => [own, common]),
  );
  return Object.fromEntries(Object.entries(resolved).map(([name, value]) => [back.get(name) ?? name, value]));
}
