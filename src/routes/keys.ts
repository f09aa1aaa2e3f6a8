import { createRoute, z } from "@hono/zod-openapi";
import { issueKey, revokeKey } from "../auth/api-keys";
import { tenantHandle } from "../auth/middleware";
import type { KeyInfo } from "../durable/tenant/keys";
import { withUnixTimes } from "../lib/unix-time";
import { errorResponses, idempotencyKeyHeader, idParams, jsonContent, TENANT_SECURITY, unixTime } from "../openapi/schemas";
import { listBody, listSchema, pageOf, pageQuery } from "../openapi/lists";
import { createRouter } from "../openapi/router";
import { plainText } from "../lib/plain-text";

export const keyInfoSchema = z
  .object({
    object: z.literal("api_key"),
    id: z.string(),
    name: z.string().nullable(),
    prefix: z.string().openapi({ description: "The key's first characters, to recognise it" }),
    created_at: unixTime,
    last_used_at: unixTime.nullable(),
    revoked_at: unixTime.nullable(),
  })
  .openapi("ApiKey");

/** A key as the API shows it (an issued one with its key, shown once). */
export function keyView<K extends KeyInfo>(k: K) {
  return { object: "api_key" as const, ...withUnixTimes(k) };
}

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
          content: { "application/json": { schema: z.object({ name: plainText(z.string().max(100)).optional() }) } },
        },
      },
      responses: { 201: jsonContent(issuedKeySchema, "The new key"), ...errorResponses(400, 401, 409) },
    }),
    async (c) => {
      const body = c.req.valid("json") as { name?: string } | undefined;
      return c.json(keyView(await issueKey(c.env, tenantHandle(c), body?.name ?? null)), 201);
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
      return c.json(listBody(page.data.map(keyView), page.has_more), 200);
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
      return c.json(keyView(await revokeKey(c.env, tenantHandle(c), id)), 200);
    },
  );
