import { createRoute, z } from "@hono/zod-openapi";
import { tenantHandle } from "../auth/middleware";
import { createRouter } from "../openapi/router";
import { errorResponses, jsonContent, TENANT_SECURITY } from "../openapi/schemas";
import { retrieve } from "../retrieval/retrieve";
import { validateFilter } from "../vector";

export const sourceSchema = z
  .object({
    chunk_id: z.string(),
    document_id: z.string(),
    title: z.string(),
    chunk_index: z.number(),
    page: z.number().nullable(),
    pages: z.object({ from: z.number(), to: z.number() }).nullable(),
    score: z.number().openapi({ description: "Cosine similarity" }),
    text: z.string(),
  })
  .openapi("RetrievedChunk");

const retrieveBody = z
  .object({
    query: z.string().trim().min(1).max(8000),
    top_k: z.number().int().min(1).max(100).default(2).openapi({ description: "1–100 (LlamaIndex's default is 2)" }),
    filter: z
      .record(z.string(), z.unknown())
      .optional()
      .openapi({ description: "Vectorize-style filter on document_id, chunk_index, page, e.g. {\"document_id\": \"doc_…\"}" }),
  })
  .openapi("Retrieve");

export const retrieveRoutes = createRouter().openapi(
  createRoute({
    method: "post",
    path: "/",
    tags: ["retrieval"],
    summary: "The tenant's chunks most similar to a query, best first",
    security: TENANT_SECURITY,
    request: { body: { required: true, content: { "application/json": { schema: retrieveBody } } } },
    responses: { 200: jsonContent(z.object({ data: z.array(sourceSchema) }), "Chunks"), ...errorResponses(400, 401, 429, 502, 503) },
  }),
  async (c) => {
    const { query, top_k, filter } = c.req.valid("json");
    const data = await retrieve(c.env, tenantHandle(c), {
      query,
      topK: top_k,
      filter: validateFilter(filter),
      requestId: c.get("requestId"),
    });
    return c.json({ data }, 200);
  },
);
