import { createRoute, z } from "@hono/zod-openapi";
import { tenantHandle } from "../auth/middleware";
import { EVAL_STATUSES, type EvalRecord } from "../durable/tenant/evals";
import { ApiError } from "../errors";
import { planEval, startEval, MAX_QUESTIONS } from "../evals/runs/create";
import { evalKeys, rowView } from "../evals/runs/finish";
import { EVAL_METRICS, type EvalReport } from "../evals/runs/report";
import { MAX_REPEATS } from "../evals/repeat";
import { unixSeconds } from "../lib/unix-time";
import { usdOf } from "../lib/money";
import { listBody, listSchema, pageOf, pageQuery } from "../openapi/lists";
import { createRouter } from "../openapi/router";
import { errorResponses, idempotencyKeyHeader, idParams, jsonContent, nameField, TENANT_SECURITY, unixTime } from "../openapi/schemas";

const interval = z.object({ low: z.number(), high: z.number() }).nullable();
const summary = z.object({ mean: z.number().nullable(), interval, n_scored: z.number(), n_undetermined: z.number() });
const paired = z.object({ difference: z.number().nullable(), interval, n_pairs: z.number(), n_unpaired: z.number() });

const reportSchema = z
  .object({
    object: z.literal("eval.report"),
    eval_id: z.string(),
    dataset_id: z.string(),
    status: z.string(),
    questions: z.number(),
    incumbent: z.string(),
    models: z.array(
      z.object({
        model: z.string(),
        role: z.enum(["incumbent", "candidate"]),
        answered: z.number(),
        failed: z.number(),
        metrics: z.record(z.string(), summary).openapi({ description: "Per metric: mean, 95% bootstrap interval, n scored, n undetermined" }),
        paired_vs_incumbent: z.record(z.string(), paired).nullable().openapi({ description: "This model − the incumbent, per metric, on the questions both scored (95% paired-bootstrap interval)" }),
        paired_vs_base: z.object({ base: z.string(), metrics: z.record(z.string(), paired) }).nullable(),
        pairwise_vs_incumbent: z
          .object({ wins: z.number(), losses: z.number(), ties: z.number(), n_undetermined: z.number(), mean: z.number().nullable(), interval })
          .nullable(),
        latency_ms: z.object({ p50: z.number().nullable(), p95: z.number().nullable() }),
        usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number(), calls: z.number() }),
        cost_usd: z.number(),
        cost_per_1k_answers_usd: z.number().nullable(),
      }),
    ),
    judge: z.object({ model: z.string(), repeats: z.number(), position_flip_rate: z.number().nullable(), flipped: z.number(), decisive: z.number(), cost_usd: z.number() }),
    reference: z.object({ statement: z.string(), teacher_rejection_rate: z.number().nullable(), rejected: z.number(), considered: z.number() }),
    cost_usd: z.number(),
    decision: z.record(z.string(), z.unknown()).nullable(),
    generated_at: unixTime,
  })
  .openapi("EvalReport");

const estimateSchema = z
  .object({
    questions: z.number(),
    calls: z.object({ answers: z.number(), judge: z.number(), embeddings: z.number() }),
    tokens: z.object({ input: z.number(), output: z.number() }),
    cost_usd: z.number(),
    cost_per_question_usd: z.number(),
  })
  .openapi("EvalEstimate", { description: "A rough estimate from the questions' recorded tokens; real usage is recorded and priced as the eval runs" });

const evalSchema = z
  .object({
    object: z.literal("eval"),
    id: z.string(),
    dataset_id: z.string(),
    status: z.enum(EVAL_STATUSES),
    job_id: z.string().nullable(),
    models: z.array(z.object({ id: z.string(), role: z.enum(["incumbent", "candidate"]) })),
    judge_model: z.string(),
    metrics: z.array(z.enum(EVAL_METRICS)),
    repeats: z.number(),
    max_cost_usd: z.number().nullable(),
    questions: z.number(),
    progress: z.object({ tasks_total: z.number(), tasks_done: z.number(), tasks_failed: z.number() }),
    cost_usd: z.number(),
    estimate: estimateSchema,
    error: z.string().nullable(),
    decision: z.record(z.string(), z.unknown()).nullable(),
    report: reportSchema.nullable().openapi({ description: "Once completed (GET /api/evals/{id} only; lists leave it null)" }),
    created_at: unixTime,
    updated_at: unixTime,
    finished_at: unixTime.nullable(),
  })
  .openapi("Eval");

const createBody = z
  .object({
    dataset: nameField(64).openapi({ description: "A ready snapshot's id or name, with an eval split" }),
    models: z.array(nameField(256)).min(1).max(4).optional().openapi({ description: "Candidates; default: the tenant's newest servable candidate" }),
    incumbent: nameField(256).optional().openapi({ description: "Default: the tenant's active model (the teacher when none)" }),
    judge_model: nameField(256).optional().openapi({ description: "A catalog model with tools; default: the catalog's judge" }),
    metrics: z.array(z.enum(EVAL_METRICS)).min(1).optional().openapi({ description: "Default: all" }),
    repeats: z.int().min(1).max(MAX_REPEATS).optional().openapi({ description: `Judge metrics asked this many times per question and averaged (1–${MAX_REPEATS})` }),
    max_cost_usd: z.number().positive().max(1_000_000).optional().openapi({ description: "The run stops (`cost_capped`) before spending past this" }),
    max_questions: z.int().min(1).max(MAX_QUESTIONS).optional().openapi({ description: "The first N eval-split questions (default 500)" }),
    dry_run: z.boolean().optional().openapi({ description: "Only estimate calls, tokens and cost; nothing is queued" }),
  })
  .strict()
  .openapi("CreateEval");

const dryRunSchema = z
  .object({ object: z.literal("eval.estimate"), dataset_id: z.string(), models: z.array(z.object({ id: z.string(), role: z.enum(["incumbent", "candidate"]) })), judge_model: z.string(), estimate: estimateSchema })
  .openapi("EvalDryRun");

const rowSchema = z
  .object({
    object: z.literal("eval.row"),
    id: z.string(),
    seq: z.number(),
    question: z.string(),
    chunk_ids: z.array(z.string()),
    reference: z.unknown(),
    created_at: unixTime,
    models: z.array(
      z.object({
        model: z.string(),
        output: z.unknown(),
        error: z.string().nullable(),
        latency_ms: z.number().nullable(),
        metrics: z.record(z.string(), z.number().nullable()),
        undetermined: z.record(z.string(), z.string()),
        explanations: z.array(z.string()),
      }),
    ),
  })
  .openapi("EvalRow");

/** A JSON answer that `?format=csv` turns into a CSV file. */
const withCsv = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema }, "text/csv": { schema: z.string().openapi({ description: "RFC 4180 CSV, a header line first" }) } },
});

const formatQuery = z.object({ format: z.enum(["json", "csv"]).default("json").openapi({ description: "`csv` for a spreadsheet (once the eval is completed)" }) });

function evalView(e: EvalRecord, report: EvalReport | null = null) {
  return {
    object: "eval" as const,
    id: e.id,
    dataset_id: e.dataset_id,
    status: e.status,
    job_id: e.job_id,
    models: e.config.models.map((m) => ({ id: m.id, role: m.role })),
    judge_model: e.config.judge_model,
    metrics: e.config.metrics,
    repeats: e.config.repeats,
    max_cost_usd: e.config.max_cost_usd,
    questions: e.questions,
    progress: { tasks_total: e.tasks_total, tasks_done: e.tasks_done, tasks_failed: e.tasks_failed },
    cost_usd: usdOf(e.cost_micros),
    estimate: e.estimate,
    error: e.error,
    decision: e.decision,
    report,
    created_at: unixSeconds(e.created_at),
    updated_at: unixSeconds(e.updated_at),
    finished_at: e.finished_at ? unixSeconds(e.finished_at) : null,
  };
}

const csvResponse = (body: ReadableStream | string, name: string) =>
  new Response(body, { headers: { "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": `attachment; filename="${name}"`, "Cache-Control": "private, no-store" } });

async function csvFile(bucket: R2Bucket, key: string, e: EvalRecord, name: string): Promise<Response> {
  if (e.status !== "completed") throw new ApiError("conflict", `Eval ${e.id} is ${e.status}: its CSV is written when it completes.`, { details: { status: e.status } });
  const obj = await bucket.get(key);
  if (!obj) throw new ApiError("not_found", `Eval ${e.id} has no ${name}.`);
  return csvResponse(obj.body, name);
}

export const evalRoutes = createRouter();

evalRoutes.openapi(
  createRoute({
    method: "post",
    path: "/",
    tags: ["evals"],
    summary: "Evaluate models on a snapshot's held-out questions",
    description:
      "Checks everything first (a ready snapshot with an eval split, models in the tenant's registry or the catalog and servable, a judge with tools, " +
      "repeats, the cost cap against the estimate), then answers 202 with the eval `running`: one queued task per (question, model), then per judge call. " +
      "The teacher's stored answers are the reference (never asked again). With `dry_run`, answers 200 with the estimate and queues nothing.",
    security: TENANT_SECURITY,
    request: { headers: idempotencyKeyHeader, body: { required: true, content: { "application/json": { schema: createBody } } } },
    responses: { 202: jsonContent(evalSchema, "The eval, its tasks queued"), 200: jsonContent(dryRunSchema, "The estimate (dry run)"), ...errorResponses(400, 401, 404) },
  }),
  async (c) => {
    const tenant = tenantHandle(c);
    const body = c.req.valid("json");
    if (body.dry_run) {
      const planned = await planEval(c.env, tenant, body);
      return c.json(
        { object: "eval.estimate" as const, dataset_id: planned.plan.dataset_id, models: planned.config.models.map((m) => ({ id: m.id, role: m.role })), judge_model: planned.config.judge_model, estimate: planned.estimate },
        200,
      );
    }
    const { eval: e } = await startEval(c.env, tenant, body, { requestId: c.get("requestId") });
    return c.json(evalView(e), 202);
  },
);

evalRoutes.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: ["evals"],
    summary: "List evals, newest first",
    security: TENANT_SECURITY,
    request: { query: pageQuery().extend({ status: z.enum(EVAL_STATUSES).optional() }) },
    responses: { 200: jsonContent(listSchema(evalSchema), "Evals"), ...errorResponses(400, 401) },
  }),
  async (c) => {
    const q = c.req.valid("query");
    const page = await tenantHandle(c).evals.list({ ...pageOf(q), ...(q.status ? { status: q.status } : {}) });
    return c.json(listBody(page.data.map((e) => evalView(e)), page.has_more), 200);
  },
);

evalRoutes.openapi(
  createRoute({
    method: "get",
    path: "/{id}",
    tags: ["evals"],
    summary: "An eval: progress, cost, decision, and its report once completed (`?format=csv`: the report as CSV)",
    security: TENANT_SECURITY,
    request: { params: idParams, query: formatQuery },
    responses: { 200: withCsv(evalSchema, "The eval (or the report as text/csv with format=csv)"), ...errorResponses(400, 401, 404, 409) },
  }),
  async (c) => {
    const e = await tenantHandle(c).evals.get(c.req.valid("param").id);
    const keys = evalKeys(tenantHandle(c).id, e.id);
    if (c.req.valid("query").format === "csv") return csvFile(c.env.DATA, keys.reportCsv, e, `${e.id}-report.csv`);
    let report: EvalReport | null = null;
    if (e.status === "completed" && e.report_key) {
      const obj = await c.env.DATA.get(e.report_key);
      report = obj ? ((await obj.json()) as EvalReport) : null;
    }
    return c.json(evalView(e, report), 200);
  },
);

evalRoutes.openapi(
  createRoute({
    method: "get",
    path: "/{id}/rows",
    tags: ["evals"],
    summary: "An eval's questions, a page at a time: the input, each model's output side by side, context chunk ids, each metric, the judge's explanations",
    security: TENANT_SECURITY,
    request: { params: idParams, query: pageQuery().extend(formatQuery.shape) },
    responses: { 200: withCsv(listSchema(rowSchema), "A page of questions (or every question as text/csv with format=csv)"), ...errorResponses(400, 401, 404, 409) },
  }),
  async (c) => {
    const tenant = tenantHandle(c);
    const q = c.req.valid("query");
    const e = await tenant.evals.get(c.req.valid("param").id);
    if (q.format === "csv") return csvFile(c.env.DATA, evalKeys(tenant.id, e.id).rowsCsv, e, `${e.id}-rows.csv`);
    const page = await tenant.evals.questions(e.id, pageOf(q));
    return c.json(listBody(page.data.map((r) => rowView(e.config.models, r)), page.has_more), 200);
  },
);

evalRoutes.openapi(
  createRoute({
    method: "post",
    path: "/{id}/cancel",
    tags: ["evals"],
    summary: "Cancel a running eval: no task begins after this (repeat-safe; a finished eval answers 409)",
    security: TENANT_SECURITY,
    request: { params: idParams },
    responses: { 200: jsonContent(evalSchema, "The eval, cancelled"), ...errorResponses(401, 404, 409) },
  }),
  async (c) => c.json(evalView(await tenantHandle(c).evals.cancel(c.req.valid("param").id)), 200),
);

evalRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/{id}",
    tags: ["evals"],
    summary: "Delete an eval, its tasks and its files (a running one stops: its messages find nothing)",
    security: TENANT_SECURITY,
    request: { params: idParams },
    responses: { 200: jsonContent(z.object({ id: z.string(), object: z.literal("eval"), deleted: z.literal(true) }), "Deleted (OpenAI's deletion shape)"), ...errorResponses(401, 404) },
  }),
  async (c) => {
    const tenant = tenantHandle(c);
    const { id } = await tenant.evals.delete(c.req.valid("param").id);
    const keys = evalKeys(tenant.id, id);
    await c.env.DATA.delete([keys.report, keys.reportCsv, keys.rowsCsv]);
    return c.json({ id, object: "eval" as const, deleted: true as const }, 200);
  },
);
