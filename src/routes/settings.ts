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

const settingsSchema = z.object({ chunking: chunkingSchema.optional() }).openapi("TenantSettings");
const patchSchema = z.object({ chunking: chunkingSchema.nullable().optional() }).strict().openapi("TenantSettingsPatch");

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
