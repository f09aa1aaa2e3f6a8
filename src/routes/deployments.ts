import { createRoute, z } from "@hono/zod-openapi";
import { tenantHandle } from "../auth/middleware";
import { DEPLOYMENT_STATES, openDeployment } from "../durable/model-deployment";
import { answerCostUsd, breakEvenRequestsPerDay } from "../deployments/break-even";
import type { TenantHandle } from "../durable/tenant";
import type { DeploymentView } from "../durable/model-deployment";
import type { Bindings } from "../env";
import { ApiError } from "../errors";
import { nowMs } from "../lib/clock";
import { loadCatalog } from "../llm";
import { withUnixTimes } from "../lib/unix-time";
import { usdOf } from "../lib/money";
import { listBody, listSchema, pageOf, pageQuery } from "../openapi/lists";
import { createRouter } from "../openapi/router";
import { errorResponses, idempotencyKeyHeader, idParams, jsonContent, TENANT_SECURITY, unixTime } from "../openapi/schemas";

const usd = z.number().openapi({ description: "Dollars, exact to 6 decimals" });

/** A deployment as src/durable/model-deployment/view.ts shows it (documented here so /openapi.json says its shape). */
export const deploymentSchema = z
  .object({
    object: z.literal("deployment"),
    id: z.string(),
    model: z.string().openapi({ description: "The registered fine-tune it serves" }),
    base_model: z.string(),
    provider: z.string(),
    profile: z.string().openapi({ description: "The catalog's deployment profile (GET /api/catalog shows them)" }),
    state: z.enum(DEPLOYMENT_STATES),
    provider_status: z.string().nullable(),
    provider_id: z.string().nullable(),
    endpoint: z.object({
      inference_model: z.string().nullable().openapi({ description: "What to send as `model` to the provider's OpenAI-compatible route" }),
      base_url: z.string().nullable().openapi({ description: "The inference base URL when it is not the provider's usual one" }),
    }),
    replicas: z.object({ min: z.number(), max: z.number() }),
    idle_minutes: z.number().openapi({ description: "Stopped by the provider after this many idle minutes (0: never)" }),
    shared: z.boolean(),
    job_id: z.string().nullable(),
    stop_reason: z.enum(["requested", "idle", "unused"]).nullable(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    cost: z.object({
      hourly_usd: usd.openapi({ description: "Standing cost: replicas kept up × the profile's hourly price" }),
      so_far_usd: usd.openapi({ description: "From ready until stopped (or now), at the minimum replicas; on a shared base, the share attributed so far" }),
      share: z
        .object({ rule: z.string(), base_hourly_usd: usd, holders: z.number(), hourly_usd: usd, accrued_usd: usd })
        .nullable()
        .openapi({ description: "On a shared base deployment (Fireworks LoRA addons): this deployment's share of its hourly price, by the stated rule" }),
    }),
    timeline: z.array(z.object({ state: z.string(), at: unixTime, detail: z.string().nullable() })),
    next_poll_at: unixTime.nullable(),
    last_error: z.string().nullable(),
    ready_at: unixTime.nullable(),
    stopped_at: unixTime.nullable(),
    created_at: unixTime,
    updated_at: unixTime,
  })
  .openapi("Deployment", { description: "A deployment of an open-weights student: state timeline, provider status, endpoint, cost" });

const standingSchema = z
  .object({
    hourly_usd: usd.openapi({ description: "This deployment's standing cost per hour (its share, when shared)" }),
    daily_usd: usd,
    tenant_hourly_usd: usd.openapi({ description: "All of the tenant's serving deployments, per hour" }),
    teacher: z.object({
      model: z.string(),
      spend_30d_usd: usd.openapi({ description: "The tenant's teacher spend over the last 30 days" }),
      cost_per_1k_answers_usd: usd.nullable(),
    }),
    tokens_per_answer: z
      .object({ prompt: z.number(), completion: z.number(), source: z.enum(["eval", "dataset", "teacher_usage"]) })
      .nullable()
      .openapi({ description: "From the eval when there is one, else the teacher calls that labeled the model's dataset, else the tenant's recent teacher calls" }),
    break_even_requests_per_day: z
      .number()
      .nullable()
      .openapi({ description: "Requests a day above which this endpoint (billed by the hour) costs less than the teacher's tokens; null when unknown" }),
  })
  .openapi("DeploymentStandingCost");

/** The standing cost beside the teacher's: what one deployment's GET shows. */
async function standingCost(env: Bindings, tenant: TenantHandle, view: DeploymentView): Promise<z.infer<typeof standingSchema>> {
  const catalog = loadCatalog(env);
  const teacher = catalog.defaults.teacher;
  const prices = catalog.byId.get(teacher)?.prices ?? { input: 0, output: 0 };
  const since = new Date(nowMs() - 30 * 86_400_000).toISOString().slice(0, 10);
  const inputs = await tenant.deployments.costInputs(view.model, teacher, since);
  const perAnswer = inputs.tokens ? answerCostUsd(inputs.tokens, prices) : null;
  return {
    hourly_usd: view.cost.hourly_usd,
    daily_usd: usdOf(Math.round(view.cost.hourly_usd * 24 * 1_000_000)),
    tenant_hourly_usd: usdOf(inputs.standing_hourly_micros),
    teacher: {
      model: teacher,
      spend_30d_usd: usdOf(inputs.teacher_spend_micros),
      cost_per_1k_answers_usd: perAnswer === null ? null : usdOf(Math.round(perAnswer * 1000 * 1_000_000)),
    },
    tokens_per_answer: inputs.tokens,
    // A dedicated endpoint is billed by the hour whatever it serves: the student's per-answer cost is 0.
    break_even_requests_per_day: perAnswer === null ? null : breakEvenRequestsPerDay(view.cost.hourly_usd, perAnswer),
  };
}

const deploymentDetailSchema = deploymentSchema.extend({ standing: standingSchema }).openapi("DeploymentDetail");

const summarySchema = z
  .object({
    object: z.literal("deployment"),
    id: z.string(),
    model: z.string(),
    provider: z.string(),
    profile: z.string(),
    state: z.enum(DEPLOYMENT_STATES),
    inference_model: z.string().nullable(),
    hourly_usd: usd,
    min_replicas: z.number(),
    max_replicas: z.number(),
    shared: z.boolean(),
    job_id: z.string().nullable(),
    created_at: unixTime,
    updated_at: unixTime,
  })
  .openapi("DeploymentSummary");

export const deploymentRoutes = createRouter();

deploymentRoutes.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: ["deployments"],
    summary: "List deployments, newest first",
    security: TENANT_SECURITY,
    request: { query: pageQuery().extend({ state: z.enum(DEPLOYMENT_STATES).optional() }) },
    responses: { 200: jsonContent(listSchema(summarySchema), "Deployments"), ...errorResponses(400, 401) },
  }),
  async (c) => {
    const query = c.req.valid("query");
    const page = await tenantHandle(c).deployments.list({ ...pageOf(query), ...(query.state ? { state: query.state } : {}) });
    const data = page.data.map(({ hourly_micros, ...d }) => ({
      object: "deployment" as const,
      ...withUnixTimes(d),
      state: d.state as z.infer<typeof summarySchema>["state"],
      hourly_usd: usdOf(hourly_micros * d.min_replicas),
    }));
    return c.json(listBody(data, page.has_more), 200);
  },
);

deploymentRoutes.openapi(
  createRoute({
    method: "get",
    path: "/{id}",
    tags: ["deployments"],
    summary: "A deployment: state timeline, provider status, endpoint, cost so far",
    security: TENANT_SECURITY,
    request: { params: idParams },
    responses: { 200: jsonContent(deploymentDetailSchema, "The deployment, with its standing cost"), ...errorResponses(401, 404) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const tenant = tenantHandle(c);
    await tenant.deployments.get(id);
    const view = await openDeployment(c.env, tenant.id, id).get();
    if (!view) throw new ApiError("not_found", `No deployment ${id}.`);
    return c.json({ ...view, standing: await standingCost(c.env, tenant, view) }, 200);
  },
);

deploymentRoutes.openapi(
  createRoute({
    method: "post",
    path: "/{id}/stop",
    tags: ["deployments"],
    summary: "Stop a deployment (repeat-safe: a stopped or stopping one answers 200; a failed one 409)",
    security: TENANT_SECURITY,
    request: { params: idParams, headers: idempotencyKeyHeader },
    responses: { 200: jsonContent(deploymentSchema, "The deployment, stopping or stopped"), ...errorResponses(401, 404, 409) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const tenant = tenantHandle(c);
    await tenant.deployments.get(id);
    return c.json(await openDeployment(c.env, tenant.id, id).stop(), 200);
  },
);
