import type { CatalogInput } from "./catalog-schema";

/*
 * The built-in model catalog: the only place in src/ where model names are written down.
 * A deployment adds or overrides entries with the MODEL_CATALOG variable (src/llm/config.ts).
 *
 * Prices are USD per 1M tokens.
 * - OpenAI: https://platform.openai.com/docs/pricing (standard tier; fine-tuning section for
 *   `training` and fine-tuned inference), read 2026-11. Context windows and output limits from
 *   each model's page on platform.openai.com/docs/models.
 * - Together: https://www.together.ai/pricing (serverless inference; fine-tuning "up to 16B,
 *   LoRA, SFT" per 1M trained tokens), read 2026-11. The -Reference bases are not served
 *   serverless: their inference price is the matching serverless Turbo model's, as an estimate.
 * - Fireworks: https://fireworks.ai/pricing (serverless "4B–16B" tier; SFT per 1M trained
 *   tokens for models up to 16B), read 2026-11.
 * Check the pages before relying on an edge: providers change prices without notice.
 */

/*
 * Retirement dates: OpenAI's deprecations page (its shutdown table, which GET /v1/models repeats
 * as `shutdown_date`), read 2026-12: gpt-4.1-nano shut down on 2026-10-23; the gpt-4o, gpt-4o-mini,
 * gpt-4.1 and gpt-4.1-mini snapshots, with their fine-tunes, shut down on 2027-01-14 (announced
 * 2026-10-14). `date: null` means no shutdown was announced when the source was read.
 */
const OPENAI_DEPRECATIONS = "https://developers.openai.com/api/docs/deprecations (read 2026-12)";
const TOGETHER_DEPRECATIONS = "https://docs.together.ai/docs/deprecations (read 2026-12)";
const FIREWORKS_MODELS = "https://fireworks.ai/models (read 2026-12)";

/*
 * Chat-completions parameters each model accepts (`supported_params`; `/openai/v1` refuses others by
 * name). OpenAI: platform.openai.com/docs/api-reference/chat/create; Together:
 * docs.together.ai/reference/chat-completions-1 (n, seed, stop, tools, response_format documented);
 * Fireworks: docs.fireworks.ai/api-reference/post-chatcompletions; read 2026-12. A model without
 * tools or structured output takes neither (the provider would refuse or ignore them).
 */
const CHAT_PARAMS = [
  "temperature", "top_p", "max_tokens", "max_completion_tokens", "n", "seed", "stop", "tools", "tool_choice",
  "parallel_tool_calls", "response_format", "presence_penalty", "frequency_penalty", "logit_bias", "logprobs",
  "top_logprobs", "user", "metadata",
];
const PLAIN_CHAT_PARAMS = CHAT_PARAMS.filter((p) => !["tools", "tool_choice", "parallel_tool_calls", "response_format"].includes(p));

/** The catalog compiled into the Worker, before MODEL_CATALOG overrides. */
export const BUILTIN_CATALOG: CatalogInput = {
  models: [
    // --- OpenAI chat (o200k_base) ---
    {
      // The default teacher and judge: OpenAI's recommended replacement for the retiring gpt-4o and
      // gpt-4.1 families (its deprecations page), not fine-tunable. Window, output limit and price
      // from its model page (developers.openai.com/api/docs/models/gpt-6.1-sol, read 2026-12;
      // input above 272k tokens costs $4/$15, not modelled). Its tokenizer is not published: o200k_base
      // (that of every OpenAI model since gpt-4o) is assumed.
      id: "gpt-6.1-sol",
      provider: "openai",
      kind: "chat",
      supports_tools: true,
      supports_response_format: "json_schema",
      supported_params: CHAT_PARAMS,
      context_window: 1_050_000,
      max_output_tokens: 128_000,
      encoding: "o200k_base",
      prices: { input: 2.0, output: 10.0 },
      retirement: { date: null, source: OPENAI_DEPRECATIONS },
    },
    {
      id: "gpt-4.1-2025-04-14",
      provider: "openai",
      kind: "chat",
      supports_tools: true,
      supports_response_format: "json_schema",
      supported_params: CHAT_PARAMS,
      context_window: 1_047_576,
      max_output_tokens: 32_768,
      encoding: "o200k_base",
      prices: { input: 2.0, output: 8.0, training: 25.0, fine_tuned: { input: 3.0, output: 12.0 } },
      retirement: { date: "2027-01-14", source: OPENAI_DEPRECATIONS },
    },
    {
      id: "gpt-4.1-mini-2025-04-14",
      provider: "openai",
      kind: "chat",
      supports_tools: true,
      supports_response_format: "json_schema",
      supported_params: CHAT_PARAMS,
      context_window: 1_047_576,
      max_output_tokens: 32_768,
      encoding: "o200k_base",
      prices: { input: 0.4, output: 1.6, training: 5.0, fine_tuned: { input: 0.8, output: 3.2 } },
      retirement: { date: "2027-01-14", source: OPENAI_DEPRECATIONS },
    },
    {
      id: "gpt-4.1-nano-2025-04-14",
      provider: "openai",
      kind: "chat",
      supports_tools: true,
      supports_response_format: "json_schema",
      supported_params: CHAT_PARAMS,
      context_window: 1_047_576,
      max_output_tokens: 32_768,
      encoding: "o200k_base",
      prices: { input: 0.1, output: 0.4, training: 1.5, fine_tuned: { input: 0.2, output: 0.8 } },
      retirement: { date: "2026-10-23", source: OPENAI_DEPRECATIONS },
    },
    {
      id: "gpt-4o-mini-2024-07-18",
      provider: "openai",
      kind: "chat",
      supports_tools: true,
      supports_response_format: "json_schema",
      supported_params: CHAT_PARAMS,
      context_window: 128_000,
      max_output_tokens: 16_384,
      encoding: "o200k_base",
      prices: { input: 0.15, output: 0.6, training: 3.0, fine_tuned: { input: 0.3, output: 1.2 } },
      retirement: { date: "2027-01-14", source: OPENAI_DEPRECATIONS },
    },
    {
      id: "gpt-4o-2024-08-06",
      provider: "openai",
      kind: "chat",
      supports_tools: true,
      supports_response_format: "json_schema",
      supported_params: CHAT_PARAMS,
      context_window: 128_000,
      max_output_tokens: 16_384,
      encoding: "o200k_base",
      prices: { input: 2.5, output: 10.0, training: 25.0, fine_tuned: { input: 3.75, output: 15.0 } },
      retirement: { date: "2027-01-14", source: OPENAI_DEPRECATIONS },
    },
    // --- OpenAI embeddings (cl100k_base; 8,191 tokens an input; 2,048 inputs and 300,000 tokens a
    // request: platform.openai.com/docs/api-reference/embeddings/create) ---
    {
      id: "text-embedding-3-small",
      provider: "openai",
      kind: "embedding",
      supports_tools: false,
      supports_response_format: "none",
      context_window: 8_191,
      max_output_tokens: 1,
      encoding: "cl100k_base",
      embedding_dimensions: 1_536,
      embedding_request: { max_inputs: 2_048, max_tokens: 300_000 },
      prices: { input: 0.02, output: 0 },
      retirement: { date: null, source: OPENAI_DEPRECATIONS },
    },
    {
      // Native size 3,072; Vectorize stores at most 1,536 dimensions, so a deployment that picks
      // this model must request `dimensions: 1536` (the API shortens the vector) or override here.
      id: "text-embedding-3-large",
      provider: "openai",
      kind: "embedding",
      supports_tools: false,
      supports_response_format: "none",
      context_window: 8_191,
      max_output_tokens: 1,
      encoding: "cl100k_base",
      embedding_dimensions: 3_072,
      embedding_request: { max_inputs: 2_048, max_tokens: 300_000 },
      prices: { input: 0.13, output: 0 },
      retirement: { date: null, source: OPENAI_DEPRECATIONS },
    },
    // --- Together (Llama 3 tokenizer: counts are estimates) ---
    {
      // Fine-tunable base; served on a dedicated endpoint (no serverless route).
      id: "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference",
      provider: "together",
      kind: "chat",
      supports_tools: true,
      supports_response_format: "json_schema",
      supported_params: CHAT_PARAMS,
      context_window: 131_072,
      max_output_tokens: 8_192,
      encoding: "estimate",
      // docs.together.ai/docs/fine-tuning-models: 131,072 tokens for SFT (long context by LoRA).
      training_context: 131_072,
      prices: { input: 0.18, output: 0.18, training: 0.48 },
      retirement: { date: null, source: TOGETHER_DEPRECATIONS },
    },
    {
      // A small open model without tool calling or structured output: programs fall back to
      // plain-text prompting for it.
      id: "meta-llama/Llama-3.2-3B-Instruct",
      provider: "together",
      kind: "chat",
      supports_tools: false,
      supports_response_format: "none",
      supported_params: PLAIN_CHAT_PARAMS,
      context_window: 131_072,
      max_output_tokens: 8_192,
      encoding: "estimate",
      prices: { input: 0.06, output: 0.06 },
      retirement: { date: null, source: TOGETHER_DEPRECATIONS },
    },
    // --- Fireworks ---
    {
      id: "accounts/fireworks/models/llama-v3p1-8b-instruct",
      provider: "fireworks",
      kind: "chat",
      supports_tools: true,
      supports_response_format: "json_schema",
      supported_params: CHAT_PARAMS,
      context_window: 131_072,
      max_output_tokens: 8_192,
      encoding: "estimate",
      prices: { input: 0.2, output: 0.2, training: 0.5 },
      retirement: { date: null, source: FIREWORKS_MODELS },
    },
  ],
  fine_tuning: {
    // https://platform.openai.com/docs/api-reference/fine-tuning/create (method.supervised.hyperparameters).
    // OpenAI stops accepting new self-serve jobs on 2027-01-06; fine-tuned gpt-4o/4.1 serve until 2027-01-14.
    openai: {
      base_models: [
        "gpt-4.1-2025-04-14",
        "gpt-4.1-mini-2025-04-14",
        "gpt-4.1-nano-2025-04-14",
        "gpt-4o-mini-2024-07-18",
        "gpt-4o-2024-08-06",
      ],
      hyperparameters: {
        n_epochs: { min: 1, max: 50, integer: true },
        batch_size: { min: 1, max: 256, integer: true },
        learning_rate_multiplier: { min: 0.01, max: 10 },
      },
      new_jobs_cutoff: "2027-01-06",
    },
    // https://docs.together.ai/reference/post-fine-tunes; batch size limits are per base model
    // (docs.together.ai "supported models"): these are the 8B LoRA figures.
    together: {
      base_models: ["meta-llama/Meta-Llama-3.1-8B-Instruct-Reference"],
      hyperparameters: {
        n_epochs: { min: 1, max: 20, default: 1, integer: true },
        learning_rate: { min: 1e-6, max: 1e-2, default: 1e-5 },
        batch_size: { min: 8, max: 32, default: 8, integer: true },
        lora_r: { min: 1, max: 64, default: 8, integer: true },
        lora_alpha: { min: 1, max: 128, integer: true },
      },
      lora_default: true,
    },
    // https://docs.fireworks.ai/fine-tuning (supervisedFineTuningJobs: epochs, learningRate, loraRank).
    fireworks: {
      base_models: ["accounts/fireworks/models/llama-v3p1-8b-instruct"],
      hyperparameters: {
        epochs: { min: 1, max: 10, default: 1, integer: true },
        learning_rate: { min: 1e-6, max: 1e-2, default: 1e-4 },
        lora_rank: { min: 4, max: 64, default: 8, integer: true },
      },
      lora_default: true,
    },
  },
  // None of these is on a retirement list (checked when the catalog is read: src/llm/retirement.ts).
  defaults: {
    teacher: "gpt-6.1-sol",
    judge: "gpt-6.1-sol",
    embedding: "text-embedding-3-small",
  },
};
