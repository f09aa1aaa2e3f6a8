import { createRoute, z } from "@hono/zod-openapi";
import { issueKey, revokeKey } from "../auth/api-keys";
import { tenantHandle } from "../auth/middleware";
import { errorResponses, idempotencyKeyHeader, idParams, jsonContent, TENANT_SECURITY } from "../openapi/schemas";
import { listBody, listSchema, pageOf, pageQuery } from "../openapi/lists";
import { createRouter } from "../openapi/router";

export const keyInfoSchema = z
  .object({
    id: z.string(),
    name: z.string().nullable(),
    prefix: z.string().openapi({ description: "The key's first characters, to recognise it" }),
    created_at: z.string(),
    last_used_at: z.string().nullable(),
    revoked_at: z.string().nullable(),
  })
  .openapi("ApiKey");

export const issuedKeySchema = keyInfoSchema
  .extend({ key: z.string().openapi({ description: "The key itself, shown only in this response" }) })
  .openapi("IssuedApiKey");

export const keyRoutes = createRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["keys"],
      summary: "Create an API key for the calling tenant (shown once)",
      security: TENANT_SECURITY,
      request: {
        headers: idempotencyKeyHeader,
        body: {
          required: false,
          content: { "application/json": { schema: z.object({ name: z.string().max(100).optional() }) } },
        },
      },
      responses: { 201: jsonContent(issuedKeySchema, "The new key"), ...errorResponses(400, 401, 409) },
    }),
    async (c) => {
      const body = c.req.valid("json") as { name?: string } | undefined;
      return c.json(await issueKey(c.env, tenantHandle(c), body?.name ?? null), 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["keys"],
      summary: "List the calling tenant's API keys",
      security: TENANT_SECURITY,
      request: { query: pageQuery() },
      responses: { 200: jsonContent(listSchema(keyInfoSchema), "Keys, in the order issued"), ...errorResponses(400, 401) },
    }),
    async (c) => {
      const page = await tenantHandle(c).keys.list(pageOf(c.req.valid("query")));
      return c.json(listBody(page.data, page.has_more), 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/{id}",
      tags: ["keys"],
      summary: "Revoke an API key (at once, for every later request; repeat-safe)",
      security: TENANT_SECURITY,
      request: { params: idParams },
      responses: { 200: jsonContent(keyInfoSchema, "The revoked key"), ...errorResponses(401, 404) },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      return c.json(await revokeKey(c.env, tenantHandle(c), id), 200);
    },
  );
