/** The three fine-tune providers as the job tests drive them, with a base each can train. */
export const PROVIDERS = [
  { provider: "openai", base: "gpt-4o-mini-2024-07-18", servable: true, hyperparameters: { n_epochs: 2 } },
  { provider: "together", base: "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference", servable: false, hyperparameters: { n_epochs: 2 } },
  { provider: "fireworks", base: "accounts/fireworks/models/llama-v3p1-8b-instruct", servable: false, hyperparameters: { epochs: 2 } },
] as const;

export type ProviderCase = (typeof PROVIDERS)[number];
