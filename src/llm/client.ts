import OpenAI from "openai";
import type { ModelEntry, Provider } from "./catalog-schema";
import { type CatalogEnv, loadCatalog } from "./config";
import { type FetchLike, type Plane, type ProviderEnv, resolveEndpoint } from "./providers";
import { type FineTunedModelRef, resolveModel } from "./resolve-model";

/** Per-request timeout unless the caller says otherwise: generous for a long teacher answer. */
export const DEFAULT_TIMEOUT_MS = 60_000;

export interface CreateClientOptions {
  /** Sent as `X-Request-Id` on every call, so a provider-side log line can be traced back. */
  requestId: string;
  /** Per-request timeout in ms (default DEFAULT_TIMEOUT_MS); uploads and long generations want more. */
  timeoutMs?: number;
  /** `control` for files and fine-tuning (differs from inference on Fireworks). */
  plane?: Plane;
  /** Wraps the chosen fetch (tracing, tests); receives the one resolveEndpoint picked. */
  wrapFetch?: (fetch: FetchLike) => FetchLike;
}

/** The env a client needs: provider credentials and the catalog variables (any Bindings will do). */
export type ClientEnv = ProviderEnv & CatalogEnv;

/**
 * An OpenAI SDK client for `provider`, pointed where resolveEndpoint decides. Throws the
 * `bad_request` ApiError of resolveEndpoint when the provider is not configured.
 */
export function createClient(env: ProviderEnv, provider: Provider, opts: CreateClientOptions): OpenAI {
  const endpoint = resolveEndpoint(env, provider, opts.plane);
  return new OpenAI({
    baseURL: endpoint.baseURL,
    apiKey: endpoint.apiKey,
    fetch: opts.wrapFetch ? opts.wrapFetch(endpoint.fetch) : endpoint.fetch,
    timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    // No retries inside a request: the queues own retrying (with backoff, a retry budget and a
    // dead-letter queue), and SDK retries inside a consumer would multiply attempts, hold the
    // invocation's wall-clock, and hide rate limits the queue should back off from.
    maxRetries: 0,
    defaultHeaders: { "X-Request-Id": opts.requestId },
  });
}

/**
 * A client for the provider serving `modelId`, and the model's resolved catalog entry (send
 * `model.model` upstream). `registered` lists fine-tunes not in the catalog (a tenant's students).
 */
export function clientForModel(
  env: ClientEnv,
  modelId: string,
  opts: CreateClientOptions & { registered?: readonly FineTunedModelRef[] },
): { client: OpenAI; model: ModelEntry } {
  const model = resolveModel(loadCatalog(env), modelId, opts.registered);
  return { client: createClient(env, model.provider, opts), model };
}
