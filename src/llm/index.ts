export * from "./catalog-schema";
export { BUILTIN_CATALOG } from "./catalog";
export { parseCatalog } from "./parse-catalog";
export { type FineTunedModelRef, inheritFromBase, openAIFineTuneBase, resolveModel } from "./resolve-model";
export { type CatalogEnv, type CatalogOverride, catalogOverrideSchema, loadCatalog, mergeCatalog } from "./config";
export { type FetchLike, type Plane, type ProviderEndpoint, type ProviderEnv, resolveEndpoint } from "./providers";
export { callOptions, type ClientEnv, type CreateClientOptions, clientForModel, createClient, DEFAULT_TIMEOUT_MS, sharedClient, sharedClientForModel } from "./client";
export {
  type BackoffOptions,
  callProvider,
  isRetryable,
  MAX_RETRY_AFTER_MS,
  mapProviderError,
  retryAfterMs,
  retryDelayMs,
} from "./provider-errors";
export { countChatTokens, countTokens, type TextCounter, type TokenCount, tokenCounter } from "./tokens";
export { costUsd, type TokenUsage, trainingCostUsd } from "./prices";
