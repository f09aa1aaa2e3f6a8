import { z } from "zod";
import { ApiError } from "../errors";
import { loadCatalog, type ModelEntry } from "../llm";
import { livePacing, withPacing } from "../llm/pace";
import { queueUsage } from "../usage/queue";
import { type ServeContext, servedHeaders } from "./chat";
import { modelNotFound } from "./resolve";
import { callUpstream } from "./upstream";

/** OpenAI's embeddings request, as far as we read it; the provider checks the inputs' limits. */
export const embeddingsRequestSchema = z.strictObject({
  input: z.union([z.string(), z.array(z.string()).min(1).max(2048), z.array(z.int().min(0)).min(1), z.array(z.array(z.int().min(0)).min(1)).min(1).max(2048)]),
  model: z.string().min(1).max(256).optional(),
  dimensions: z.int().positive().optional(),
  encoding_format: z.enum(["float", "base64"]).optional(),
  user: z.string().max(256).optional(),
});
export type EmbeddingsRequest = z.infer<typeof embeddingsRequestSchema>;

/**
 * Serves OpenAI's `POST /v1/embeddings` with the configured embedding model (or another catalog
 * embedding model named in `model`), passing the provider's answer through and recording usage.
 */
export async function serveEmbeddings(ctx: ServeContext, req: EmbeddingsRequest): Promise<Response> {
  const entry = embeddingModel(ctx, req.model);
  if (req.dimensions !== undefined && req.dimensions > (entry.embedding_dimensions ?? 0)) {
    throw new ApiError("bad_request", `'dimensions' must be at most ${entry.embedding_dimensions} for ${entry.id}.`, { details: [{ path: "dimensions", message: "too large" }] });
  }
  const result = await withPacing(livePacing(ctx.env, ctx.tenant.id, ctx), () =>
    callUpstream(ctx.env, { entry, base_url: null }, "/embeddings", { ...req }, { requestId: ctx.requestId, signal: ctx.signal }),
  );
  // No Distillery-Served-By: embeddings are the deployment's model, never a student's.
  const { "Distillery-Served-By": _by, ...headers } = servedHeaders(entry, "teacher", ctx.requestId);
  if (!result.ok) {
    Object.assign(result.error.headers, headers);
    throw result.error;
  }
  const text = await result.response.text();
  let prompt = 0;
  try {
    prompt = (JSON.parse(text) as { usage?: { prompt_tokens?: number } }).usage?.prompt_tokens ?? 0;
  } catch {
    throw new ApiError("upstream_error", "The embedding provider answered with something other than JSON.");
  }
  // Sent to the usage queue before answering (a send, not an object write).
  await queueUsage(ctx.env, { tenantId: ctx.tenant.id, requestId: ctx.requestId }, [{ model: entry, kind: "embedding", prompt_tokens: prompt, completion_tokens: 0 }], { waitUntil: (p) => ctx.waitUntil(p) });
  return new Response(text, { status: 200, headers: { ...headers, "Content-Type": "application/json" } });
}

function embeddingModel(ctx: ServeContext, requested: string | undefined): ModelEntry {
  const catalog = loadCatalog(ctx.env);
  const entry = catalog.byId.get(requested ?? catalog.defaults.embedding);
  if (!entry) throw modelNotFound(requested!);
  if (entry.kind !== "embedding") {
    throw new ApiError("bad_request", `The model '${entry.id}' is a chat model; embeddings need an embedding model.`, { details: [{ path: "model", message: "not an embedding model" }] });
  }
  return entry;
}
