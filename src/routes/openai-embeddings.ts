import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../openapi/router";
import { TENANT_SECURITY } from "../openapi/schemas";
import { embeddingsRequestSchema, serveEmbeddings } from "../serving/embeddings";
import { serveContext } from "./openai-context";
import { openAIErrors } from "./openai-errors";

const embeddingsResponse = z
  .object({
    object: z.literal("list"),
    data: z.array(z.object({ object: z.literal("embedding"), index: z.number(), embedding: z.union([z.array(z.number()), z.string()]) })),
    model: z.string(),
    usage: z.object({ prompt_tokens: z.number(), total_tokens: z.number() }),
  })
  .openapi("OpenAIEmbeddings");

/** OpenAI's `POST /v1/embeddings`, with the deployment's embedding model (src/serving/embeddings.ts). */
export const openaiEmbeddingRoutes = createRouter().openapi(
  createRoute({
    method: "post",
    path: "/",
    tags: ["openai"],
    summary: "Embeddings (OpenAI's shape) with the configured embedding model",
    security: TENANT_SECURITY,
    request: { body: { required: true, content: { "application/json": { schema: embeddingsRequestSchema } } } },
    responses: {
      200: { description: "The embeddings", content: { "application/json": { schema: embeddingsResponse } } },
      ...openAIErrors(400, 401, 404, 413, 422, 429, 500, 502, 503, 504),
    },
  }),
  async (c) =>
    serveEmbeddings(
      serveContext(c),
      c.req.valid("json"),
    ) as never,
);
