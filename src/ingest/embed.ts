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
  const { entry, dimensions } = embeddingModel(env);
  const { client, model, options } = sharedClientForModel(env, entry.id, { requestId });
  const res = await callProvider(model.provider, () =>
    client.embeddings.create(
      {
        model: model.model,
        input: texts,
        // Only models that can shorten their vectors take `dimensions`.
        ...(entry.embedding_dimensions && entry.embedding_dimensions > dimensions ? { dimensions } : {}),
      },
      options,
    ),
  );
  const vectors = [...res.data].sort((a, b) => a.index - b.index).map((d) => d.embedding);
  if (vectors.length !== texts.length) {
    throw new ApiError("upstream_error", `The embedding provider returned ${vectors.length} vectors for ${texts.length} inputs.`);
  }
  return { vectors, usage: { model: entry, kind: "embedding", prompt_tokens: res.usage.prompt_tokens, completion_tokens: 0 } };
}
