import { createRoute, z } from "@hono/zod-openapi";
import { tenantHandle } from "../auth/middleware";
import { resolveChunkSettings } from "../ingest/settings";
import { splitEncodingSchema } from "../ingest/split";
import { createRouter } from "../openapi/router";
import { errorResponses, jsonContent, TENANT_SECURITY } from "../openapi/schemas";

const chunkingSchema = z
  .object({
    chunk_size: z.number().int().optional(),
    chunk_overlap: z.number().int().optional(),
    encoding: splitEncodingSchema.optional(),
  })
  .strict();

/** `/openai/v1`: fallback to the teacher (default on), the schema guard (default off), sampled capture. */
const servingSchema = z
  .object({
    fallback: z.boolean().optional(),
    schema_guard: z.boolean().optional(),
    capture: z.object({ dataset: z.string().trim().min(1).max(128), sample_rate: z.number().min(0).max(1) }).strict().nullable().optional(),
  })
  .strict();

const settingsSchema = z.object({ chunking: chunkingSchema.optional(), serving: servingSchema.optional() }).openapi("TenantSettings");
const patchSchema = z
  .object({ chunking: chunkingSchema.nullable().optional(), serving: servingSchema.nullable().optional() })
  .strict()
  .openapi("TenantSettingsPatch");

export const settingsRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["settings"],
      summary: "The tenant's own defaults",
      security: TENANT_SECURITY,
      responses: { 200: jsonContent(settingsSchema, "Settings"), ...errorResponses(401) },
    }),
    async (c) => c.json(await tenantHandle(c).profile.settings(), 200),
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/",
      tags: ["settings"],
      summary: "Change the tenant's defaults (a section set to null goes back to the service defaults)",
      security: TENANT_SECURITY,
      request: { body: { required: true, content: { "application/json": { schema: patchSchema } } } },
      responses: { 200: jsonContent(settingsSchema, "Settings"), ...errorResponses(400, 401) },
    }),
    async (c) => {
      const patch = c.req.valid("json");
      // Validate chunking as a whole (e.g. overlap < size) before storing it.
      if (patch.chunking) resolveChunkSettings(undefined, patch.chunking);
      return c.json(await tenantHandle(c).profile.updateSettings(patch), 200);
    },
  );
