import { createRoute, z } from "@hono/zod-openapi";
import { tenantOf } from "../auth/middleware";
import { tenantStub } from "../durable/tenant";
import type { DatasetRecord } from "../durable/tenant/datasets";
import type { Bindings } from "../env";
import { ApiError } from "../errors";
import { newId } from "../lib/ids";
import { createRouter } from "../openapi/router";
import { errorResponses, idempotencyKeyHeader, jsonContent, TENANT_SECURITY } from "../openapi/schemas";

const datasetName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "1–64 letters, digits, _ . or -, starting with a letter or digit");

const countsSchema = z.object({
  rows: z.number(),
  by_status: z.object({ pending: z.number(), labeled: z.number(), rejected: z.number(), failed: z.number() }),
  by_split: z.object({ train: z.number(), eval: z.number() }),
  labeled_by_split: z.object({ train: z.number(), eval: z.number() }),
  rejected_by_reason: z.record(z.string(), z.number()),
  tokens: z.number(),
});

export const datasetSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    status: z.enum(["open", "generating", "labeling", "ready", "failed", "cancelled"]),
    eval_fraction: z.number(),
    config: z.record(z.string(), z.unknown()),
    error: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("Dataset");

const rowSchema = z
  .object({
    id: z.string(),
    source: z.enum(["capture", "generated", "import"]),
    status: z.enum(["pending", "labeled", "rejected", "failed"]),
    reason: z.string().nullable(),
    split: z.enum(["train", "eval"]),
    question: z.string().nullable(),
    example: z.unknown(),
    tokens: z.number().nullable(),
    program: z.string().nullable(),
    program_version: z.number().nullable(),
    model: z.string().nullable(),
    usage: z.unknown(),
    chunk_ids: z.array(z.string()).nullable(),
    created_at: z.string(),
  })
  .openapi("DatasetRow");

const idParam = z.object({ id: z.string().min(1).max(64) });

async function loadDataset(env: Bindings, tenantId: string, id: string): Promise<DatasetRecord> {
  const dataset = await tenantStub(env, tenantId).getDataset(id);
  if (!dataset) throw new ApiError("not_found", `No dataset ${id}.`);
  return dataset;
}

export const datasetRoutes = createRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["datasets"],
      summary: "Create an empty dataset that receives captured examples",
      security: TENANT_SECURITY,
      request: {
        headers: idempotencyKeyHeader,
        body: {
          required: true,
          content: {
            "application/json": {
              schema: z.object({ name: datasetName, eval_fraction: z.number().min(0).max(0.9).default(0.2) }).openapi("CreateDataset"),
            },
          },
        },
      },
      responses: { 201: jsonContent(datasetSchema, "The dataset"), ...errorResponses(400, 401, 409) },
    }),
    async (c) => {
      const { name, eval_fraction } = c.req.valid("json");
      const created = await tenantStub(c.env, tenantOf(c)).createDataset({ id: newId("ds"), name, status: "open", eval_fraction, config: {} });
      if (!created) throw new ApiError("conflict", `A dataset named ${name} exists.`);
      return c.json(created, 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["datasets"],
      summary: "List datasets",
      security: TENANT_SECURITY,
      responses: { 200: jsonContent(z.object({ data: z.array(datasetSchema) }), "Datasets"), ...errorResponses(401) },
    }),
    async (c) => c.json({ data: await tenantStub(c.env, tenantOf(c)).listDatasets() }, 200),
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}",
      tags: ["datasets"],
      summary: "A dataset and its counts (rows by status, split and rejection reason)",
      security: TENANT_SECURITY,
      request: { params: idParam },
      responses: { 200: jsonContent(datasetSchema.extend({ counts: countsSchema }), "The dataset"), ...errorResponses(401, 404) },
    }),
    async (c) => {
      const tenantId = tenantOf(c);
      const dataset = await loadDataset(c.env, tenantId, c.req.valid("param").id);
      return c.json({ ...dataset, counts: await tenantStub(c.env, tenantId).countRows(dataset.id) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}/rows",
      tags: ["datasets"],
      summary: "Page through a dataset's rows",
      security: TENANT_SECURITY,
      request: {
        params: idParam,
        query: z.object({
          split: z.enum(["train", "eval"]).optional(),
          status: z.enum(["pending", "labeled", "rejected", "failed"]).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
          cursor: z.coerce.number().int().nonnegative().optional(),
        }),
      },
      responses: {
        200: jsonContent(z.object({ data: z.array(rowSchema), next_cursor: z.number().nullable() }), "A page of rows"),
        ...errorResponses(400, 401, 404),
      },
    }),
    async (c) => {
      const tenantId = tenantOf(c);
      const dataset = await loadDataset(c.env, tenantId, c.req.valid("param").id);
      const page = await tenantStub(c.env, tenantId).listRows(dataset.id, c.req.valid("query"));
      const data = page.data.map(({ dataset_id: _d, updated_at: _u, ...r }) => ({
        ...r,
        example: r.example === null ? null : (JSON.parse(r.example) as unknown),
        usage: r.usage === null ? null : (JSON.parse(r.usage) as unknown),
      }));
      return c.json({ data, next_cursor: page.next_cursor }, 200);
    },
  );
