import { createRoute, z } from "@hono/zod-openapi";
import { tenantHandle } from "../auth/middleware";
import type { RegisteredModel } from "../durable/tenant/models";
import type { Bindings } from "../env";
import { loadCatalog, type ModelEntry } from "../llm";
import { isRetired } from "../llm/retirement";
import { unixSeconds } from "../lib/unix-time";
import { createRouter } from "../openapi/router";
import { jsonContent, TENANT_SECURITY } from "../openapi/schemas";
import { activePointer, type ActivePointer } from "../serving/pointer";
import { ACTIVE_ALIAS, modelNotFound, TEACHER_ALIAS } from "../serving/resolve";


// OpenAI's model object (id, object, created, owned_by; `shutdown_date` as its newer reference
// documents it), plus Distillery's own fields, which OpenAI SDKs pass through untouched.
const modelObject = z
  .object({
    id: z.string(),
    object: z.literal("model"),
    created: z.number().openapi({ description: "Unix seconds (0 for catalog models: the provider's date is not known)" }),
    owned_by: z.string().openapi({ description: "The provider for catalog models; `tenant` for the tenant's fine-tunes; `distillery` for aliases" }),
    shutdown_date: z.string().nullable().openapi({ description: "When the model (or its base) shuts down, if announced" }),
    alias_for: z.string().optional().openapi({ description: "Aliases only: the model the alias calls now" }),
    active_version: z.number().int().optional().openapi({ description: "`distillery:active` only: the switch's version" }),
  })
  .openapi("OpenAIModel");

const openaiError = jsonContent(
  z.object({ error: z.object({ message: z.string(), type: z.string(), param: z.string().nullable(), code: z.string().nullable() }) }),
  "OpenAI-shaped error",
);

type ModelObject = z.infer<typeof modelObject>;

function catalogObject(m: ModelEntry): ModelObject {
  return { id: m.id, object: "model", created: 0, owned_by: m.provider, shutdown_date: m.retirement?.date ?? null };
}

function registeredObject(m: RegisteredModel, base: ModelEntry | undefined): ModelObject {
  return { id: m.id, object: "model", created: unixSeconds(m.created_at), owned_by: "tenant", shutdown_date: base?.retirement?.date ?? null };
}

function aliases(env: Bindings, pointer: ActivePointer): ModelObject[] {
  const teacher = loadCatalog(env).defaults.teacher;
  return [
    { id: ACTIVE_ALIAS, object: "model", created: pointer.updated_at ? unixSeconds(pointer.updated_at) : 0, owned_by: "distillery", shutdown_date: null, alias_for: pointer.model, active_version: pointer.version },
    { id: TEACHER_ALIAS, object: "model", created: 0, owned_by: "distillery", shutdown_date: null, alias_for: teacher },
  ];
}

/** What the tenant can call now: the aliases, its servable fine-tunes, the catalog's chat models still served. */
async function servableModels(env: Bindings, tenant: ReturnType<typeof tenantHandle>): Promise<ModelObject[]> {
  const catalog = loadCatalog(env);
  const [registry, pointer] = await Promise.all([tenant.models.registry(), activePointer(env, tenant.id)]);
  const own = registry.models
    .filter((m) => m.servable && !isRetired(catalog.byId.get(m.base_model) ?? {}))
    .map((m) => registeredObject(m, catalog.byId.get(m.base_model)));
  const shared = catalog.models.filter((m) => m.kind === "chat" && !isRetired(m)).map(catalogObject);
  return [...aliases(env, pointer), ...own, ...shared];
}

/** OpenAI's `GET /v1/models` and `GET /v1/models/{model}`, for OpenAI SDK clients pointed at `/openai/v1`. */
export const openaiModelRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["openai"],
      summary: "List the models this tenant can call: the aliases, its servable fine-tunes, the catalog's chat models (OpenAI's shape)",
      security: TENANT_SECURITY,
      responses: { 200: jsonContent(z.object({ object: z.literal("list"), data: z.array(modelObject) }), "Models"), 401: openaiError },
    }),
    async (c) => c.json({ object: "list" as const, data: await servableModels(c.env, tenantHandle(c)) }, 200),
  )
  .openapi(
    createRoute({
      method: "get",
      // Fine-tune ids hold slashes (`account/base:suffix:id`); the SDK sends them percent-encoded.
      path: "/{id}",
      tags: ["openai"],
      summary: "One model this tenant can call, or an alias (OpenAI's shape)",
      security: TENANT_SECURITY,
      request: { params: z.object({ id: z.string().min(1).max(300).openapi({ description: "A model id or an alias" }) }) },
      responses: { 200: jsonContent(modelObject, "The model"), 401: openaiError, 404: openaiError },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const found = (await servableModels(c.env, tenantHandle(c))).find((m) => m.id === id);
      if (!found) throw modelNotFound(id);
      return c.json(found, 200);
    },
  );
