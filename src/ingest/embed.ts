import type { Bindings } from "../env";
import { ApiError } from "../errors";
import { callProvider, loadCatalog, sharedClientForModel, type ModelEntry, type TextCounter, tokenCounter } from "../llm";
import type { CallUsage } from "../usage/record";

/** Vectorize stores at most 1,536 dimensions; larger models are asked for that many. */
export const MAX_DIMENSIONS = 1536;

/** An embedding model's per-request limits at its provider (the catalog's `embedding_request`). */
export interface EmbeddingLimits {
  /** Inputs per request. */
  inputs: number;
  /** Tokens summed over a request's inputs, as the provider counts them. */
  tokens: number;
  /** Tokens one input may hold (the model's context window). */
  inputTokens: number;
}

export interface EmbeddingModel {
  entry: ModelEntry;
  dimensions: number;
  limits: EmbeddingLimits;
}

/** The deployment's embedding model (catalog default), the dimensions we store and its request limits. */
export function embeddingModel(env: Bindings): EmbeddingModel {
  const catalog = loadCatalog(env);
  const entry = catalog.byId.get(catalog.defaults.embedding);
  if (!entry || entry.kind !== "embedding" || !entry.embedding_request) {
    throw new ApiError("internal", `The default embedding model ${catalog.defaults.embedding} is not an embedding model.`);
  }
  return {
    entry,
    dimensions: Math.min(entry.embedding_dimensions ?? MAX_DIMENSIONS, MAX_DIMENSIONS),
    limits: {
      inputs: entry.embedding_request.max_inputs,
      tokens: entry.embedding_request.max_tokens,
      inputTokens: entry.context_window,
    },
  };
}

const utf8 = new TextEncoder();
/** An over-estimate for any byte-level tokenizer: each token covers at least one UTF-8 byte. */
const byteCount: TextCounter = (text) => utf8.encode(text).byteLength;

/**
 * Counts an input as the embedding model's provider will: its own encoding when we ship it (exact,
 * or over on pathological input, never under); otherwise UTF-8 bytes, not chars / 4, because a
 * batch planned on an under-count is refused whole by the provider.
 */
export async function embeddingCounter(entry: ModelEntry): Promise<TextCounter> {
  return entry.encoding === "estimate" ? byteCount : tokenCounter(entry.encoding);
}

/**
 * Groups inputs (with the token count of exactly the text that will be sent) into as few
 * requests as the limits allow, in order. An input over the model's context window is refused
 * here rather than sent: the provider would refuse its whole batch.
 */
export function planBatches<T extends { tokens: number }>(items: readonly T[], limits: EmbeddingLimits): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let tokens = 0;
  for (const item of items) {
    if (item.tokens > limits.inputTokens) {
      throw new ApiError("validation_failed", `An input of ${item.tokens} tokens exceeds the embedding model's ${limits.inputTokens} a request input.`, {
        retryable: false,
      });
    }
    if (current.length > 0 && (current.length >= limits.inputs || tokens + item.tokens > limits.tokens)) {
      batches.push(current);
      current = [];
      tokens = 0;
    }
    current.push(item);
    tokens += item.tokens;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

export interface EmbedResult {
  vectors: number[][];
  /** The call's usage, ready for the tenant's usage record. */
  usage: CallUsage;
}

/** Embeds texts in one request (the caller has planned the batch). */
export async function embedTexts(env: Bindings, texts: string[], requestId: string): Promise<EmbedResult> {
  const { data, usage } = await requestEmbeddings(env, texts, requestId, undefined);
  return { vectors: data.map((d) => d.embedding as number[]), usage };
}

/**
 * As `embedTexts`, each vector a Float32Array decoded from the provider's base64 here, one at a
 * time: the SDK's own decoding turns a batch of ~290 × 1,536 floats into arrays of numbers in one
 * go (3.5 MB of garbage a batch, and one long stretch), and the vector index wants Float32 anyway.
 */
export async function embedTextsFloat32(env: Bindings, texts: string[], requestId: string): Promise<{ vectors: Float32Array[]; usage: CallUsage }> {
  const { data, usage } = await requestEmbeddings(env, texts, requestId, "base64");
  return { vectors: data.map((d) => float32FromBase64(d.embedding as unknown as string)), usage };
}

async function requestEmbeddings(env: Bindings, texts: string[], requestId: string, format: "base64" | undefined) {
  const { entry, dimensions } = embeddingModel(env);
  const { client, model, options } = sharedClientForModel(env, entry.id, { requestId });
  const res = await callProvider(model.provider, () =>
    client.embeddings.create(
      {
        model: model.model,
        input: texts,
        // Only models that can shorten their vectors take `dimensions`.
        ...(entry.embedding_dimensions && entry.embedding_dimensions > dimensions ? { dimensions } : {}),
        ...(format ? { encoding_format: format } : {}),
      },
      options,
    ),
  );
  const data = [...res.data].sort((a, b) => a.index - b.index);
  if (data.length !== texts.length) {
    throw new ApiError("upstream_error", `The embedding provider returned ${data.length} vectors for ${texts.length} inputs.`);
  }
  const usage: CallUsage = { model: entry, kind: "embedding", prompt_tokens: res.usage.prompt_tokens, completion_tokens: 0 };
  return { data, usage };
}

/** Little-endian Float32 values from base64 (OpenAI's `encoding_format: "base64"`). */
export function float32FromBase64(base64: string): Float32Array {
  if (typeof base64 !== "string") throw new ApiError("upstream_error", "The embedding provider did not return base64 vectors.");
  const binary = atob(base64);
  if (binary.length % 4 !== 0) throw new ApiError("upstream_error", "The embedding provider returned a vector of a length that is not whole Float32 values.");
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}
