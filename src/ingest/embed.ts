import type { Bindings } from "../env";
import { ApiError } from "../errors";
import { callProvider, clientForModel, loadCatalog, type ModelEntry } from "../llm";
import type { CallUsage } from "../usage/record";

/**
 * OpenAI's embeddings limits per request: 2,048 inputs and 300,000 tokens summed
 * over them (platform.openai.com/docs/api-reference/embeddings/create). Other
 * OpenAI-compatible providers accept at least as much for the models we list.
 */
export const EMBED_MAX_INPUTS = 2048;
export const EMBED_MAX_TOKENS = 300_000;
/** Vectorize stores at most 1,536 dimensions; larger models are asked for that many. */
export const MAX_DIMENSIONS = 1536;

export interface EmbeddingModel {
  entry: ModelEntry;
  dimensions: number;
}

/** The deployment's embedding model (catalog default) and the dimensions we store. */
export function embeddingModel(env: Bindings): EmbeddingModel {
  const catalog = loadCatalog(env);
  const entry = catalog.byId.get(catalog.defaults.embedding);
  if (!entry || entry.kind !== "embedding") {
    throw new ApiError("internal", `The default embedding model ${catalog.defaults.embedding} is not an embedding model.`);
  }
  return { entry, dimensions: Math.min(entry.embedding_dimensions ?? MAX_DIMENSIONS, MAX_DIMENSIONS) };
}

/** Groups inputs (with their token counts) into as few requests as the limits allow, in order. */
export function planBatches<T extends { tokens: number }>(items: readonly T[]): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let tokens = 0;
  for (const item of items) {
    if (current.length > 0 && (current.length >= EMBED_MAX_INPUTS || tokens + item.tokens > EMBED_MAX_TOKENS)) {
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
  const { client, model } = clientForModel(env, entry.id, { requestId });
  const res = await callProvider(model.provider, () =>
    client.embeddings.create({
      model: model.model,
      input: texts,
      // Only models that can shorten their vectors take `dimensions`.
      ...(entry.embedding_dimensions && entry.embedding_dimensions > dimensions ? { dimensions } : {}),
    }),
  );
  const vectors = [...res.data].sort((a, b) => a.index - b.index).map((d) => d.embedding);
  if (vectors.length !== texts.length) {
    throw new ApiError("upstream_error", `The embedding provider returned ${vectors.length} vectors for ${texts.length} inputs.`);
  }
  return { vectors, usage: { model: entry, kind: "embedding", prompt_tokens: res.usage.prompt_tokens, completion_tokens: 0 } };
}
