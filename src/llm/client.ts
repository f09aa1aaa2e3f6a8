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

/** A call's options (the SDK's CallOptions, which its package does not export by name). */
export type CallOptions = NonNullable<Parameters<OpenAI["embeddings"]["create"]>[1]>;

/** Clients kept per env object (one per isolate in a Worker) and provider plane. */
const shared = new WeakMap<object, Map<string, OpenAI>>();

/**
 * The isolate's SDK client for `provider` (and `plane`): made once and reused by every request,
 * since constructing one costs ~0.9 ms of CPU (measured on main). It sends no request id of its
 * own: pass `callOptions(requestId)` as each call's second argument, so the id is per call.
 * Keyed by the env object as well, so a test's env with other endpoints gets its own client.
 * Throws like createClient when the provider is not configured (nothing is cached then).
 */
export function sharedClient(env: ProviderEnv, provider: Provider, plane: Plane = "inference"): OpenAI {
  let clients = shared.get(env);
  if (!clients) shared.set(env, (clients = new Map()));
  const key = `${provider}:${plane}`;
  let client = clients.get(key);
  if (!client) {
    const endpoint = resolveEndpoint(env, provider, plane);
    client = new OpenAI({
      baseURL: endpoint.baseURL,
      apiKey: endpoint.apiKey,
      fetch: endpoint.fetch,
      timeout: DEFAULT_TIMEOUT_MS,
      // As createClient: the queues, not the SDK, retry.
      maxRetries: 0,
    });
    clients.set(key, client);
  }
  return client;
}

/** A call's own options on a shared client: its `X-Request-Id`, and a timeout when not the default. */
export function callOptions(requestId: string, timeoutMs?: number): CallOptions {
  return { headers: { "X-Request-Id": requestId }, ...(timeoutMs !== undefined ? { timeout: timeoutMs } : {}) };
}

/**
 * The shared client for the provider serving `modelId`, the model's resolved catalog entry (send
 * `model.model` upstream), and the options to pass with each call (the request id).
 */
export function sharedClientForModel(
  env: ClientEnv,
  modelId: string,
  opts: { requestId: string; timeoutMs?: number; registered?: readonly FineTunedModelRef[] },
): { client: OpenAI; model: ModelEntry; options: CallOptions } {
  const model = resolveModel(loadCatalog(env), modelId, opts.registered);
  return { client: sharedClient(env, model.provider), model, options: callOptions(opts.requestId, opts.timeoutMs) };
}
