import { createRoute, z } from "@hono/zod-openapi";
import { tenantHandle } from "../auth/middleware";
import { plainText } from "../lib/plain-text";
import { unixSeconds, withUnixTimes } from "../lib/unix-time";
import { createRouter } from "../openapi/router";
import { errorResponses, idempotencyKeyHeader, jsonContent, TENANT_SECURITY, unixTime } from "../openapi/schemas";
import { forgetPointer, type ActivePointer } from "../serving/pointer";

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

const pointerSchema = z
  .object({
    object: z.literal("active_model"),
    version: z.number().int().openapi({ description: "Increases by one on every change; 0 while the teacher serves by default" }),
    model: z.string(),
    provider: z.string(),
    base_url: z.string().nullable().openapi({ description: "The inference endpoint when not the provider's own (a deployment)" }),
    served_as: z.enum(["student", "teacher"]),
    eval_id: z.string().nullable().openapi({ description: "The eval whose decision promoted it, when one did" }),
    updated_at: unixTime.nullable(),
  })
  .openapi("ActiveModel");

const versionSchema = z
  .object({
    version: z.number().int(),
    model: z.string(),
    provider: z.string(),
    base_url: z.string().nullable(),
    served_as: z.enum(["student", "teacher"]),
    eval_id: z.string().nullable(),
    action: z.enum(["activate", "promote", "rollback"]),
    reason: z.string().nullable(),
    at: unixTime,
  })
  .openapi("ActiveModelVersion");

const registrySchema = z
  .object({
    active: z.string().nullable().openapi({ description: "The model the tenant's calls use now (null: none activated, the default teacher; see active_model)" }),
    active_model: pointerSchema,
    base_models: z.array(z.string()).openapi({ description: "Base models the tenant's jobs trained from" }),
    candidates: z.array(modelSchema),
    models: z.array(modelSchema),
    versions: z.array(versionSchema).openapi({ description: "Every change of the active model, newest first" }),
    history: z.array(z.object({ model: z.string(), action: z.string(), job_id: z.string().nullable(), detail: z.string().nullable(), at: unixTime })),
  })
  .openapi("ModelRegistry");

const switchSchema = z
  .object({
    active_model: pointerSchema,
    changed: z.boolean().openapi({ description: "False when the call changed nothing (the model was already active)" }),
  })
  .openapi("ActiveModelSwitch");

const reason = plainText(z.string().max(500)).optional().openapi({ description: "Why, kept in the history" });
const activateBody = z.object({ model: z.string().min(1).max(300), reason }).strict().openapi("ActivateModel");
const rollbackBody = z.object({ reason }).strict().openapi("RollbackModel");

function pointerView(p: ActivePointer) {
  return { object: "active_model" as const, ...p, updated_at: p.updated_at === null ? null : unixSeconds(p.updated_at) };
}

export const modelRegistryRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["models"],
      summary: "The tenant's model registry: the active model (the Tenant object's truth), candidates, versions, history",
      security: TENANT_SECURITY,
      responses: { 200: jsonContent(registrySchema, "The registry"), ...errorResponses(401) },
    }),
    async (c) => {
      const tenant = tenantHandle(c);
      const [registry, active] = await Promise.all([tenant.models.registry(), tenant.activeModel.view()]);
      const models = registry.models.map((m) => ({ object: "model" as const, ...withUnixTimes(m) }));
      const history = registry.history.map((h) => ({ ...h, at: unixSeconds(h.at) }));
      const versions = active.history.map(({ prior_version: _prior, ...v }) => ({ ...v, at: unixSeconds(v.at) }));
      return c.json(
        {
          active: active.pointer.version === 0 ? null : active.pointer.model,
          active_model: pointerView(active.pointer),
          base_models: registry.base_models,
          candidates: models.filter((m) => m.status === "candidate"),
          models,
          versions,
          history,
        },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/active",
      tags: ["models"],
      summary: "Make a model the tenant's active one (a registered, servable fine-tune or a catalog chat model)",
      description:
        "Serving switches at once in this isolate and within about 70 s everywhere (KV propagation). " +
        "Activating the model already active changes nothing (`changed: false`). A model that needs a deployment first is a 409.",
      security: TENANT_SECURITY,
      request: { headers: idempotencyKeyHeader, body: { required: true, content: { "application/json": { schema: activateBody } } } },
      responses: { 200: jsonContent(switchSchema, "The active model now"), ...errorResponses(400, 401, 404, 409) },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const tenant = tenantHandle(c);
      const result = await tenant.activeModel.activate(body.model, { reason: body.reason ?? null });
      forgetPointer(tenant.id, result.pointer);
      return c.json({ active_model: pointerView(result.pointer), changed: result.changed }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/rollback",
      tags: ["models"],
      summary: "Go back to the previously active model, or to the teacher when there was none",
      description: "Repeated, it walks further back (like an undo); on the teacher with nothing before it, nothing changes.",
      security: TENANT_SECURITY,
      request: { headers: idempotencyKeyHeader, body: { required: false, content: { "application/json": { schema: rollbackBody } } } },
      responses: { 200: jsonContent(switchSchema, "The active model now"), ...errorResponses(400, 401, 409) },
    }),
    async (c) => {
      const body = c.req.valid("json") as { reason?: string } | undefined;
      const tenant = tenantHandle(c);
      const result = await tenant.activeModel.rollback(body?.reason ?? null);
      forgetPointer(tenant.id, result.pointer);
      return c.json({ active_model: pointerView(result.pointer), changed: result.changed }, 200);
    },
  );
