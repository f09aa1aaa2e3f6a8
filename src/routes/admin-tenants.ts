import { createRoute, z } from "@hono/zod-openapi";
import { issueKey } from "../auth/api-keys";
import { openTenant } from "../durable/tenant";
import { newId } from "../lib/ids";
import { ADMIN_SECURITY, errorResponses, idempotencyKeyHeader, idParams, jsonContent, unixTime } from "../openapi/schemas";
import { withUnixTimes } from "../lib/unix-time";
import { plainText } from "../lib/plain-text";
import { createRouter } from "../openapi/router";
import { issuedKeySchema, keyView } from "./keys";
import { nowIso } from "../lib/clock";

/** KV `TENANTS` keeps a listable record per tenant; the Tenant DO holds the truth. */
const tenantIndexName = (id: string) => `tenant:${id}`;

const tenantSchema = z
  .object({ object: z.literal("tenant"), id: z.string(), name: z.string(), created_at: unixTime })
  .openapi("Tenant");

type TenantRecord = { id: string; name: string; created_at: string };
const tenantView = (t: TenantRecord) => ({ object: "tenant" as const, ...withUnixTimes(t) });

const createTenantBody = z
  .object({ name: plainText(z.string().trim().min(1).max(100)).openapi({ example: "acme" }) })
  .openapi("CreateTenant");


export const adminTenantRoutes = createRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["admin"],
      summary: "Create a tenant and its first API key (shown once)",
      security: ADMIN_SECURITY,
      request: {
        headers: idempotencyKeyHeader,
        body: { required: true, content: { "application/json": { schema: createTenantBody } } },
      },
      responses: {
        201: jsonContent(z.object({ tenant: tenantSchema, api_key: issuedKeySchema }), "The tenant and its first key"),
        ...errorResponses(400, 401, 403, 409, 413),
      },
    }),
    async (c) => {
      const { name } = c.req.valid("json");
      const tenant = { id: newId("tn"), name, created_at: nowIso() };
      // The DO first (the truth), then the key, then the KV listing: a failure part-way
      // leaves a tenant nobody can list or reach, never a key without its tenant.
      using handle = openTenant(c.env, tenant.id);
      await handle.profile.create(tenant);
      const apiKey = await issueKey(c.env, handle, "initial");
      await c.env.TENANTS.put(tenantIndexName(tenant.id), JSON.stringify(tenant), { metadata: tenant });
      return c.json({ tenant: tenantView(tenant), api_key: keyView(apiKey) }, 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["admin"],
      summary: "List tenants",
      security: ADMIN_SECURITY,
      request: {
        query: z.object({
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          cursor: plainText(z.string()).optional(),
        }),
      },
      responses: {
        200: jsonContent(
          z.object({ data: z.array(tenantSchema), next_cursor: z.string().nullable() }),
          "A page of tenants",
        ),
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const { limit, cursor } = c.req.valid("query");
      const page = await c.env.TENANTS.list<TenantRecord>({ prefix: "tenant:", limit, cursor });
      const data = page.keys.flatMap((k) => (k.metadata ? [tenantView(k.metadata)] : []));
      return c.json({ data, next_cursor: page.list_complete ? null : page.cursor }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{id}/keys",
      tags: ["admin"],
      summary: "Issue an API key for a tenant (shown once)",
      security: ADMIN_SECURITY,
      request: {
        params: idParams,
        headers: idempotencyKeyHeader,
        body: {
          required: false,
          content: { "application/json": { schema: z.object({ name: plainText(z.string().max(100)).optional() }) } },
        },
      },
      responses: {
        201: jsonContent(issuedKeySchema, "The new key"),
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const body = c.req.valid("json") as { name?: string } | undefined;
      using tenant = openTenant(c.env, id);
      await tenant.profile.get(id);
      return c.json(keyView(await issueKey(c.env, tenant, body?.name ?? null)), 201);
    },
  );
