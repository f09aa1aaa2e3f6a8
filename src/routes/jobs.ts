import { createRoute, z } from "@hono/zod-openapi";
import { tenantHandle } from "../auth/middleware";
import { openJob } from "../durable/fine-tune-job";
import type { TenantHandle } from "../durable/tenant";
import type { Bindings } from "../env";
import { ApiError } from "../errors";
import { indexEntry, launchJob } from "../jobs/launch";
import { prepareAttach, prepareCreate, providerSpec, webhookOf } from "../jobs/prepare";
import { JOB_STATES } from "../durable/fine-tune-job/record";
import { loadCatalog, fineTuneProviderSchema } from "../llm";
import { createRouter } from "../openapi/router";
import { errorResponses, idempotencyKeyHeader, idParams, jsonContent, nameField, TENANT_SECURITY, unixTime } from "../openapi/schemas";
import { withUnixTimes } from "../lib/unix-time";
import { listBody, listSchema, pageOf, pageQuery } from "../openapi/lists";
import { plainText } from "../lib/plain-text";
import { fineTuneProviderFor } from "../providers";
import { jobNotFound } from "../providers/http";

const pinnedFile = z.object({ sha256: z.string(), lines: z.number(), bytes: z.number() });

const jobEventSchema = z
  .object({
    object: z.literal("fine_tuning.job.event"),
    id: z.string(),
    source: z.enum(["provider", "distillery"]),
    created_at: unixTime,
    level: z.string(),
    type: z.string().nullable(),
    message: z.string(),
  })
  .openapi("FineTuneJobEvent");

/** The job as src/durable/fine-tune-job/view.ts shows it (documented here so /openapi.json says its shape). */
const jobSchema = z
  .object({
    object: z.literal("fine_tuning.job"),
    id: z.string(),
    kind: z.enum(["create", "attach"]),
    state: z.enum(JOB_STATES),
    provider: z.string(),
    provider_job_id: z.string().nullable(),
    provider_status: z.string().nullable(),
    base_model: z.string(),
    dataset: z.object({ id: z.string(), name: z.string(), train: pinnedFile, eval: pinnedFile.nullable() }).nullable(),
    hyperparameters: z.record(z.string(), z.number()).openapi({ description: "As resolved, in the common vocabulary (n_epochs, batch_size, lora_rank, …)" }),
    suffix: z.string().nullable(),
    validation: z.enum(["eval-split", "none"]),
    evaluate: z.boolean(),
    eval_id: z.string().nullable().openapi({ description: "With evaluate: true, the eval the job's success started (GET /api/evals/{id})" }),
    training_file: z.string().nullable(),
    validation_file: z.string().nullable(),
    fine_tuned_model: z.string().nullable(),
    model_registered: z.boolean(),
    trained_tokens: z.number().nullable(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    cancel_requested: z.boolean(),
    cost: z.object({
      estimate_usd: z.number().nullable().openapi({ description: "Dollars, exact to 6 decimals" }),
      actual_usd: z.number().nullable().openapi({ description: "Dollars, exact to 6 decimals" }),
    }),
    timings: z.object({
      created_at: unixTime,
      submitted_at: unixTime.nullable(),
      started_at: unixTime.nullable(),
      finished_at: unixTime.nullable(),
      duration_s: z.number().nullable(),
    }),
    next_poll_at: unixTime.nullable(),
    last_error: z.string().nullable(),
    webhook: z
      .object({
        url: z.string(),
        delivery: z
          .object({ attempts: z.number(), delivered_at: unixTime.nullable(), last_error: z.string().nullable(), gave_up: z.boolean() })
          .nullable(),
      })
      .nullable(),
    timeline: z.array(z.object({ state: z.string(), at: unixTime })).openapi({ description: "Distillery's state changes, oldest first" }),
    events: z.array(jobEventSchema).openapi({ description: "The latest 200 events, oldest first (GET /api/jobs/{id}/events pages them all)" }),
    created_at: unixTime,
    updated_at: unixTime,
    webhook_secret: z.string().optional().openapi({ description: "Only in the answer that creates a job with webhook_url, shown this once" }),
  })
  .openapi("FineTuneJob", { description: "A fine-tune job: state, provider status, events, timeline, model, timings and costs" });

const summarySchema = z
  .object({
    object: z.literal("fine_tuning.job"),
    id: z.string(),
    provider: z.string(),
    provider_job_id: z.string().nullable(),
    dataset_id: z.string().nullable(),
    base_model: z.string(),
    state: z.enum(JOB_STATES),
    fine_tuned_model: z.string().nullable(),
    created_at: unixTime,
    updated_at: unixTime,
  })
  .openapi("FineTuneJobSummary");

const webhookUrl = plainText(z.string().max(2048)).optional().openapi({
  description:
    "https URL POSTed once the job ends, in the Standard Webhooks format (`webhook-id`, `webhook-timestamp`, `webhook-signature`; " +
    "verify with the openai SDK's `webhooks.unwrap()` or a Standard Webhooks library and `webhook_secret`). " +
    "Its host may not be localhost, a literal private, loopback or link-local address, or on the deployment's deny-list. " +
    "Workers cannot resolve DNS, so a public name pointing at a private address is not detected here.",
});

const createBody = z
  .object({
    dataset: nameField(64).openapi({ description: "Dataset id or name; it must be ready" }),
    provider: fineTuneProviderSchema,
    base_model: nameField(256).openapi({ description: "A base the provider can fine-tune (GET /api/catalog)" }),
    hyperparameters: z.record(plainText(z.string().max(64)), z.number()).optional().openapi({ description: "Names and ranges per provider, from the catalog" }),
    suffix: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, "1–32 letters, digits, _ or -").optional(),
    seed: z.int().min(0).max(2_147_483_647).optional(),
    lora: z.boolean().optional().openapi({ description: "Train a LoRA adapter (Together, Fireworks); default from the catalog" }),
    validation: z.enum(["eval-split", "none"]).default("eval-split"),
    evaluate: z.boolean().default(false).openapi({ description: "Once the job succeeds, evaluate its model against the incumbent (and its base) on the snapshot's eval split: the job's eval_id" }),
    deploy: z.boolean().default(false).openapi({ description: "Deploy the student once it succeeds (Together, Fireworks), with the catalog's default profile" }),
    webhook_url: webhookUrl,
  })
  .strict()
  .openapi("CreateFineTuneJob");

const attachBody = z
  .object({
    provider: fineTuneProviderSchema,
    provider_job_id: nameField(256).openapi({ description: "The provider's own job id (e.g. ftjob-…, ft-…)" }),
    evaluate: z.boolean().default(false),
    webhook_url: webhookUrl,
  })
  .strict()
  .openapi("AttachFineTuneJob");


/** 404 unless the job is in this tenant's index (ids of other tenants' jobs are simply unknown). */
async function ownJob(env: Bindings, tenant: TenantHandle, id: string) {
  await tenant.jobs.get(id);
  return openJob(env, tenant.id, id);
}

export const jobRoutes = createRouter();

jobRoutes.openapi(
  createRoute({
    method: "post",
    path: "/",
    tags: ["jobs"],
    summary: "Fine-tune a student on a ready dataset",
    description:
      "Checks everything first (dataset ready and valid, provider, base model, credentials, hyperparameters, cutoff, webhook), " +
      "then answers 201 with the job `created`; its Durable Object uploads the pinned dataset, creates the provider job and polls it. " +
      "With `webhook_url`, the answer carries `webhook_secret`, shown this once.",
    security: TENANT_SECURITY,
    request: { headers: idempotencyKeyHeader, body: { required: true, content: { "application/json": { schema: createBody } } } },
    responses: { 201: jsonContent(jobSchema, "The job"), ...errorResponses(400, 401, 404, 409) },
  }),
  async (c) => {
    const tenant = tenantHandle(c);
    const init = await prepareCreate(c.env, tenant, c.req.valid("json"), c.get("requestId"));
    const job = await launchJob(c.env, tenant, init);
    return c.json({ ...job, ...(init.webhook ? { webhook_secret: init.webhook.secret } : {}) }, 201);
  },
);

jobRoutes.openapi(
  createRoute({
    method: "post",
    path: "/attach",
    tags: ["jobs"],
    summary: "Track an existing provider job (the seeds' start_job_id)",
    description: "A provider job that already succeeded has its model registered at once. A provider job already tracked answers 200 with that job.",
    security: TENANT_SECURITY,
    request: { headers: idempotencyKeyHeader, body: { required: true, content: { "application/json": { schema: attachBody } } } },
    responses: { 201: jsonContent(jobSchema, "The job"), 200: jsonContent(jobSchema, "Already tracked"), ...errorResponses(400, 401, 404) },
  }),
  async (c) => {
    const tenant = tenantHandle(c);
    const body = c.req.valid("json");
    providerSpec(loadCatalog(c.env), body.provider);
    // Input checks before the provider is asked anything.
    const webhook = webhookOf(c.env, body.webhook_url);
    const provider = fineTuneProviderFor(c.env, body.provider, { requestId: c.get("requestId") });
    const current = await provider.getJob(body.provider_job_id);
    // A provider job one of our jobs created carries that job's id (OpenAI metadata, Fireworks display
    // name) or its tag (Together's suffix): only the tenant whose job it is may attach it (and it
    // already tracks it); anyone else gets the unknown id's answer.
    if (current.key !== null && !(await tenant.jobs.tracks(body.provider, current.id, current.key))) {
      throw jobNotFound(body.provider, body.provider_job_id);
    }
    const init = prepareAttach(c.env, tenant.id, body, current, webhook, c.get("requestId"));
    const claim = await tenant.jobs.claim(indexEntry(init, "submitted"));
    const stub = openJob(c.env, tenant.id, claim.job.id);
    if (!claim.created) {
      const existing = await stub.get();
      if (!existing) throw new ApiError("not_found", `No job ${claim.job.id}.`);
      return c.json(existing, 200);
    }
    const job = await stub.attach(init, current);
    return c.json({ ...job, ...(init.webhook ? { webhook_secret: init.webhook.secret } : {}) }, 201);
  },
);

jobRoutes.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: ["jobs"],
    summary: "List jobs, newest first",
    security: TENANT_SECURITY,
    request: {
      query: pageQuery().extend({ state: z.enum(JOB_STATES).optional() }),
    },
    responses: {
      200: jsonContent(listSchema(summarySchema), "Jobs"),
      ...errorResponses(400, 401),
    },
  }),
  async (c) => {
    const query = c.req.valid("query");
    const page = await tenantHandle(c).jobs.list({ ...pageOf(query), ...(query.state ? { state: query.state } : {}) });
    const data = page.data.map((j) => ({ object: "fine_tuning.job" as const, ...withUnixTimes(j), state: j.state as z.infer<typeof summarySchema>["state"] }));
    return c.json(listBody(data, page.has_more), 200);
  },
);

jobRoutes.openapi(
  createRoute({
    method: "get",
    path: "/{id}",
    tags: ["jobs"],
    summary: "A job: state, provider status, events, timeline, model, timings, costs",
    security: TENANT_SECURITY,
    request: { params: idParams },
    responses: { 200: jsonContent(jobSchema, "The job"), ...errorResponses(401, 404) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const job = await (await ownJob(c.env, tenantHandle(c), id)).get();
    if (!job) throw new ApiError("not_found", `No job ${id}.`);
    return c.json(job, 200);
  },
);

jobRoutes.openapi(
  createRoute({
    method: "get",
    path: "/{id}/events",
    tags: ["jobs"],
    summary: "A job's events (the provider's and Distillery's), newest first, as OpenAI lists them",
    security: TENANT_SECURITY,
    request: { params: idParams, query: pageQuery() },
    responses: { 200: jsonContent(listSchema(jobEventSchema), "A page of events"), ...errorResponses(400, 401, 404) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const page = await (await ownJob(c.env, tenantHandle(c), id)).events(pageOf(c.req.valid("query")));
    return c.json(listBody(page.data, page.has_more), 200);
  },
);

jobRoutes.openapi(
  createRoute({
    method: "post",
    path: "/{id}/cancel",
    tags: ["jobs"],
    summary: "Cancel a job (repeat-safe: a cancelled job answers 200; a finished one 409)",
    security: TENANT_SECURITY,
    request: { params: idParams },
    responses: { 200: jsonContent(jobSchema, "The job, cancelled or cancelling"), ...errorResponses(401, 404, 409) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const job = await (await ownJob(c.env, tenantHandle(c), id)).cancel();
    return c.json(job, 200);
  },
);
