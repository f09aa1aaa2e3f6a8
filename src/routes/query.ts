import { createRoute, z } from "@hono/zod-openapi";
import { tenantHandle } from "../auth/middleware";
import { captureRun } from "../datasets/capture";
import { createRouter } from "../openapi/router";
import { errorResponses, idempotencyKeyHeader, jsonContent, nameField, TENANT_SECURITY } from "../openapi/schemas";
import { modelForTenant } from "../programs/models";
import { answerWithSources, assertRagTemplate, type RagRun } from "../programs/rag";
import { retrieve } from "../retrieval/retrieve";
import { queueUsage } from "../usage/queue";
import type { CallUsage } from "../usage/record";
import { validateFilter } from "../vector";
import { captureSchema, usageSchema } from "./programs";

const queryBody = z
  .object({
    question: z.string().trim().min(1).max(8000),
    program: nameField(64).openapi({ description: "A program whose template uses {context_str} and {query_str}" }),
    version: z.number().int().positive().optional(),
    top_k: z.number().int().min(1).max(100).default(2),
    filter: z.record(z.string(), z.unknown()).optional(),
    model: nameField(256).optional(),
    capture: captureSchema,
  })
  .openapi("Query");

const querySourceSchema = z.object({
  document: z.object({ id: z.string(), title: z.string() }),
  chunk: z.object({ id: z.string(), index: z.number(), page: z.number().nullable() }),
  score: z.number(),
  text: z.string(),
});

export const queryRoutes = createRouter().openapi(
  createRoute({
    method: "post",
    path: "/",
    tags: ["programs"],
    summary: "Structured RAG: retrieve top_k chunks and answer through a program (refining across parts when needed)",
    security: TENANT_SECURITY,
    request: { headers: idempotencyKeyHeader, body: { required: true, content: { "application/json": { schema: queryBody } } } },
    responses: {
      200: jsonContent(
        z.object({
          output: z.unknown(),
          sources: z.array(querySourceSchema),
          model: z.string(),
          program: z.object({ name: z.string(), version: z.number() }),
          usage: usageSchema,
          calls: z.number(),
          captured: z.object({ dataset: z.string(), row_ids: z.array(z.string()) }).nullable(),
        }),
        "The answer and its sources",
      ),
      ...errorResponses(400, 401, 404, 409, 422, 429, 502, 503),
    },
  }),
  async (c) => {
    const tenant = tenantHandle(c);
    const body = c.req.valid("json");
    const program = await tenant.programs.get(body.program, body.version);
    assertRagTemplate(program);
    // Before the model is called: a capture into a missing or closed dataset (a snapshot) is refused first.
    if (body.capture) await tenant.datasets.openForRows(body.capture.dataset);
    const model = await modelForTenant(c.env, tenant, body.model);
    const requestId = c.get("requestId");
    const filter = validateFilter(body.filter);
    // The embedding's and the answer's usage leave as one message.
    const spent: CallUsage[] = [];
    let sources: Awaited<ReturnType<typeof retrieve>>;
    let rag: RagRun;
    try {
      sources = await retrieve(c.env, tenant, { query: body.question, topK: body.top_k, filter, requestId, onCall: (u) => spent.push(u) });
      rag = await answerWithSources(c.env, { program, model, question: body.question, sources, requestId, onCall: (u) => spent.push(u) });
    } finally {
      await queueUsage(c.env, { tenantId: tenant.id, requestId }, spent);
    }
    // Every teacher call is an example, refine calls included (as LlamaIndex's handler logs them).
    const rowIds: string[] = [];
    if (body.capture) {
      for (const run of rag.runs) {
        rowIds.push(
          await captureRun(tenant, {
            dataset: body.capture.dataset,
            run,
            program,
            chunkIds: sources.map((s) => s.chunk_id),
            question: body.question,
          }),
        );
      }
    }
    const sum = (k: "prompt_tokens" | "completion_tokens") => rag.runs.reduce((n, r) => n + r.usage[k], 0);
    return c.json(
      {
        output: rag.output,
        sources: sources.map((s) => ({
          document: { id: s.document_id, title: s.title },
          chunk: { id: s.chunk_id, index: s.chunk_index, page: s.page },
          score: s.score,
          text: s.text,
        })),
        model: model.id,
        program: { name: program.name, version: program.version },
        usage: { prompt_tokens: sum("prompt_tokens"), completion_tokens: sum("completion_tokens"), total_tokens: sum("prompt_tokens") + sum("completion_tokens") },
        calls: rag.runs.reduce((n, r) => n + r.calls.length, 0),
        captured: body.capture ? { dataset: body.capture.dataset, row_ids: rowIds } : null,
      },
      200,
    );
  },
);
