import { createRoute, z } from "@hono/zod-openapi";
import { tenantHandle } from "../auth/middleware";
import { createRouter } from "../openapi/router";
import { errorResponses, jsonContent, TENANT_SECURITY, unixTime } from "../openapi/schemas";
import { unixSeconds, withUnixTimes } from "../lib/unix-time";
import { activeModelKey } from "../programs/models";

const modelSchema = z
  .object({
    object: z.literal("model"),
    id: z.string(),
    provider: z.string().openapi({ description: "The OpenAI-compatible provider that serves it" }),
    fine_tune_provider: z.string(),
    base_model: z.string(),
    job_id: z.string(),
    status: z.enum(["candidate", "active", "retired"]),
    servable: z.boolean().openapi({ description: "False until deployed (Together and Fireworks fine-tunes)" }),
    trained_tokens: z.number().nullable(),
    created_at: unixTime,
    updated_at: unixTime,
  })
  .openapi("RegisteredModel");

const registrySchema = z
  .object({
    active: z.string().nullable().openapi({ description: "The model the tenant's calls use now (none: the default teacher)" }),
    base_models: z.array(z.string()).openapi({ description: "Base models the tenant's jobs trained from" }),
    candidates: z.array(modelSchema),
    models: z.array(modelSchema),
    history: z.array(z.object({ model: z.string(), action: z.string(), job_id: z.string().nullable(), detail: z.string().nullable(), at: unixTime })),
  })
  .openapi("ModelRegistry");

export const modelRegistryRoutes = createRouter().openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: ["models"],
    summary: "The tenant's model registry: active model, candidates from fine-tune jobs, history",
    security: TENANT_SECURITY,
    responses: { 200: jsonContent(registrySchema, "The registry"), ...errorResponses(401) },
  }),
  async (c) => {
    const tenant = tenantHandle(c);
    const [registry, active] = await Promise.all([
      tenant.models.registry(),
      c.env.MODELS.get<{ model: string }>(activeModelKey(tenant.id), { type: "json" }),
    ]);
    const models = registry.models.map((m) => ({
      object: "model" as const,
      ...withUnixTimes(m),
      status: m.id === active?.model ? ("active" as const) : m.status,
    }));
    const history = registry.history.map((h) => ({ ...h, at: unixSeconds(h.at) }));
    return c.json(
      { active: active?.model ?? null, base_models: registry.base_models, candidates: models.filter((m) => m.status === "candidate"), models, history },
      200,
    );
  },
);
