import { createRoute, z } from "@hono/zod-openapi";
import { tenantHandle } from "../../auth/middleware";
import type { DatasetRecord } from "../../durable/tenant/datasets";
import { ApiError } from "../../errors";
import { createGenerationDataset } from "../../datasets/create";
import { datasetName, generationFields } from "./schemas";
import { freezeDataset } from "../../datasets/finalize";
import { jsonlResponse } from "../../datasets/jsonl";
import { newId } from "../../lib/ids";
import { listBody, listSchema, pageOf, pageQuery } from "../../openapi/lists";
import { createRouter } from "../../openapi/router";
import { errorResponses, idempotencyKeyHeader, idParams, jsonContent, TENANT_SECURITY, unixTime } from "../../openapi/schemas";
import { unixSeconds, withUnixTimes } from "../../lib/unix-time";


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
    object: z.enum(["dataset", "dataset.snapshot"]).openapi({ description: "dataset.snapshot for a snapshot (snapshot_of set)" }),
    id: z.string(),
    name: z.string(),
    status: z.enum(["open", "generating", "labeling", "writing", "ready", "failed", "cancelled"]),
    snapshot_of: z.string().nullable().openapi({ description: "A snapshot's source dataset; null for a source dataset" }),
    version: z.number().nullable().openapi({ description: "A snapshot's version among its source's snapshots (1, 2, …)" }),
    eval_fraction: z.number(),
    config: z.record(z.string(), z.unknown()),
    error: z.string().nullable(),
    files: z
      .record(z.string(), z.object({ key: z.string(), bytes: z.number(), lines: z.number(), sha256: z.string() }))
      .nullable()
      .openapi({ description: "A snapshot's train/eval JSONL files, once it is ready (a source's are its latest snapshot's: see latest_snapshot)" }),
    created_at: unixTime,
    updated_at: unixTime,
  })
  .openapi("Dataset");

const rowSchema = z
  .object({
    object: z.literal("dataset.row"),
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
    created_at: unixTime,
  })
  .openapi("DatasetRow");


const progressSchema = z.object({
  tasks: z.object({ pending: z.number(), done: z.number(), failed: z.number() }).openapi({ description: "Question generation, one task per chunk" }),
  questions: z.number(),
  cost_usd: z.number().openapi({ description: "Teacher spend so far (generation and labeling), at catalog prices" }),
  prompt_tokens: z.number(),
  completion_tokens: z.number(),
});

const estimateSchema = z.object({
  chunks: z.number(),
  questions: z.number(),
  teacher_calls: z.number(),
  teacher_tokens: z.object({ input: z.number(), output: z.number() }),
  cost_usd: z.number(),
  teacher_model: z.string(),
});

/** What a client sees of a dataset: files parsed; its lease and row bound stay inside. */
export function datasetView(d: DatasetRecord) {
  const { lease_until: _l, through_rowid: _t, ...view } = d;
  return { object: d.snapshot_of ? ("dataset.snapshot" as const) : ("dataset" as const), ...withUnixTimes(view), files: d.files ? (JSON.parse(d.files) as Record<string, { key: string; bytes: number; lines: number; sha256: string }>) : null };
}

const snapshotSummary = z
  .object({
    object: z.literal("dataset.snapshot"),
    id: z.string(),
    name: z.string(),
    version: z.number().nullable(),
    status: z.string(),
    files: datasetSchema.shape.files,
    created_at: unixTime,
  })
  .nullable()
  .openapi({ description: "A source's latest snapshot (what a job given this dataset trains on, once ready)" });

export const datasetLifecycleRoutes = createRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["datasets"],
      summary: "Create a dataset: generated and labeled by the teacher (with `program`), or empty for captures",
      description:
        "With `program`, answers 202 with the dataset `generating`: one question-generation task per chunk, then one " +
        "labeling task per question, on the label queue. `dry_run: true` answers the estimate only (200), calling no model.",
      security: TENANT_SECURITY,
      request: {
        headers: idempotencyKeyHeader,
        body: {
          required: true,
          content: {
            "application/json": {
              schema: z
                .object({ name: datasetName, eval_fraction: z.number().min(0).max(0.9).default(0.2), ...generationFields })
                .openapi("CreateDataset"),
            },
          },
        },
      },
      responses: {
        201: jsonContent(datasetSchema, "The empty dataset"),
        202: jsonContent(datasetSchema.extend({ estimate: estimateSchema }), "Generating"),
        200: jsonContent(z.object({ dry_run: z.literal(true), estimate: estimateSchema }), "The estimate (dry run)"),
        ...errorResponses(400, 401, 404, 409),
      },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const { name, eval_fraction } = body;
      if (body.program) {
        const program = body.program;
        const { dataset, estimate } = await createGenerationDataset(c.env, tenantHandle(c), { ...body, program }, c.get("requestId"));
        if (!dataset) return c.json({ dry_run: true as const, estimate }, 200);
        return c.json({ ...datasetView(dataset), estimate }, 202);
      }
      const created = await tenantHandle(c).datasets.create({ id: newId("ds"), name, eval_fraction });
      return c.json(datasetView(created), 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["datasets"],
      summary: "List datasets",
      security: TENANT_SECURITY,
      request: { query: pageQuery() },
      responses: { 200: jsonContent(listSchema(datasetSchema), "Datasets, newest first"), ...errorResponses(400, 401) },
    }),
    async (c) => {
      const page = await tenantHandle(c).datasets.list(pageOf(c.req.valid("query")));
      return c.json(listBody(page.data.map(datasetView), page.has_more), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}",
      tags: ["datasets"],
      summary: "A dataset and its counts (rows by status, split and rejection reason)",
      security: TENANT_SECURITY,
      request: { params: idParams },
      responses: {
        200: jsonContent(
          datasetSchema.extend({
            counts: countsSchema,
            progress: progressSchema,
            stalled: z.boolean().openapi({ description: "In flight with no progress past its lease: the sweeper resumes it (see Recovery)" }),
            latest_snapshot: snapshotSummary,
          }),
          "The dataset",
        ),
        ...errorResponses(401, 404),
      },
    }),
    async (c) => {
      const { dataset, counts, progress, stalled, latest_snapshot: latest } = await tenantHandle(c).datasets.show(c.req.valid("param").id);
      const latest_snapshot = latest
        ? { object: "dataset.snapshot" as const, id: latest.id, name: latest.name, version: latest.version, status: latest.status, files: datasetView(latest).files, created_at: unixSeconds(latest.created_at) }
        : null;
      return c.json({ ...datasetView(dataset), counts, progress, stalled, latest_snapshot }, 200);
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
        params: idParams,
        query: pageQuery({ max: 500, fallback: 100 }).extend({
          split: z.enum(["train", "eval"]).optional(),
          status: z.enum(["pending", "labeled", "rejected", "failed"]).optional(),
        }),
      },
      responses: {
        200: jsonContent(listSchema(rowSchema), "A page of rows, in the order added"),
        ...errorResponses(400, 401, 404),
      },
    }),
    async (c) => {
      const { split, status, ...q } = c.req.valid("query");
      const page = await tenantHandle(c).datasets.rows(c.req.valid("param").id, { ...pageOf(q), ...(split ? { split } : {}), ...(status ? { status } : {}) });
      const data = page.data.map(({ dataset_id: _d, updated_at: _u, ...r }) => ({
        object: "dataset.row" as const,
        ...withUnixTimes(r),
        example: r.example === null ? null : (JSON.parse(r.example) as unknown),
        usage: r.usage === null ? null : (JSON.parse(r.usage) as unknown),
      }));
      return c.json(listBody(data, page.has_more), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{id}/cancel",
      tags: ["datasets"],
      summary: "Stop a dataset's pending work (repeat-safe)",
      security: TENANT_SECURITY,
      request: { params: idParams },
      responses: { 200: jsonContent(datasetSchema, "The dataset"), ...errorResponses(401, 404) },
    }),
    async (c) => {
      return c.json(datasetView(await tenantHandle(c).datasets.cancel(c.req.valid("param").id)), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{id}/freeze",
      tags: ["datasets"],
      summary: "Freeze a dataset: an immutable snapshot of its rows now, with its train/eval files written (repeat-safe)",
      description:
        "Answers the snapshot (`snap_…`, named `{dataset}@v{n}`), ready. The dataset stays open for more captures and " +
        "imports; freeze it again for a new snapshot. A repeat with no new rows answers the latest snapshot. A snapshot " +
        "still being written by another request, or a dataset still generating or labeling, is a 409.",
      security: TENANT_SECURITY,
      request: { params: idParams },
      responses: { 200: jsonContent(datasetSchema, "The snapshot, ready"), ...errorResponses(401, 404, 409) },
    }),
    async (c) => {
      const snapshot = await freezeDataset(c.env, tenantHandle(c), c.req.valid("param").id, c.get("requestId"));
      if (snapshot.status !== "ready") {
        throw new ApiError("conflict", `Snapshot ${snapshot.name} is ${snapshot.status}; try again shortly.`, {
          details: { snapshot: snapshot.id, status: snapshot.status },
          retryable: snapshot.status === "writing",
        });
      }
      return c.json(datasetView(snapshot), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}/files/{split}",
      tags: ["datasets"],
      summary: "Download a snapshot's train.jsonl or eval.jsonl; a source dataset's latest ready snapshot's (409 until there is one)",
      security: TENANT_SECURITY,
      request: { params: idParams.extend({ split: z.enum(["train", "eval"]) }) },
      responses: {
        200: { description: "The JSONL file (application/x-ndjson), one example per line" },
        ...errorResponses(401, 404, 409),
      },
    }),
    async (c) => {
      const { id, split } = c.req.valid("param");
      const tenant = tenantHandle(c);
      const dataset = await tenant.datasets.get(id);
      // A source's files are its latest ready snapshot's (named in Distillery-Snapshot).
      const snapshot = dataset.snapshot_of ? dataset : await tenant.datasets.trainable(dataset.id).catch(() => dataset);
      const file = datasetView(snapshot).files?.[split];
      if (!file) {
        throw new ApiError("conflict", `The ${split} file is not written yet: the dataset is ${snapshot.status}.`, {
          details: { status: snapshot.status },
        });
      }
      const object = await c.env.DATA.get(file.key);
      if (!object) throw new ApiError("not_found", `The ${split} file is missing from storage.`);
      const res = jsonlResponse(object, `${snapshot.name}.${split}.jsonl`, { sha256: file.sha256 });
      res.headers.set("Distillery-Snapshot", snapshot.id);
      return res;
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/{id}",
      tags: ["datasets"],
      summary: "Delete a dataset: its rows, its files in R2; messages still queued for it are ignored",
      security: TENANT_SECURITY,
      request: { params: idParams },
      responses: { 200: jsonContent(z.object({ id: z.string(), object: z.literal("dataset"), deleted: z.literal(true) }), "Deleted (OpenAI's deletion shape)"), ...errorResponses(401, 404) },
    }),
    async (c) => {
      const { id, files } = await tenantHandle(c).datasets.delete(c.req.valid("param").id);
      if (files.length > 0) await c.env.DATA.delete(files);
      return c.json({ id, object: "dataset" as const, deleted: true as const }, 200);
    },
  );
