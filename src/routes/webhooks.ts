import { createRoute, z } from "@hono/zod-openapi";
import { tenantHandle } from "../auth/middleware";
import type { Bindings } from "../env";
import { createRouter } from "../openapi/router";
import { listBody, listSchema, pageOf, pageQuery } from "../openapi/lists";
import { errorResponses, idempotencyKeyHeader, idParams, jsonContent, TENANT_SECURITY, unixTime } from "../openapi/schemas";
import { withUnixTimes } from "../lib/unix-time";
import { isEventPattern, WEBHOOK_EVENT_TYPES } from "../webhooks/events";
import { checkWebhookUrl, parseDenyList, WEBHOOK_URL_MAX_LENGTH } from "../webhooks/url";

const urlField = z.string().max(WEBHOOK_URL_MAX_LENGTH).openapi({
  description:
    "https URL the events are POSTed to, in the Standard Webhooks format. Its host may not be localhost, a literal " +
    "private, loopback or link-local address, or on the deployment's deny-list.",
});

const eventsField = z
  .array(z.string().refine(isEventPattern, { message: `not an event type, "<prefix>.*" or "*" (types: ${WEBHOOK_EVENT_TYPES.join(", ")})` }))
  .min(1)
  .max(20)
  .transform((events) => [...new Set(events)])
  .openapi({ description: `Event types to receive: a type, \`<prefix>.*\` or \`*\` (every type, later ones too). Types: ${WEBHOOK_EVENT_TYPES.join(", ")}.` });

const endpointSchema = z
  .object({
    id: z.string(),
    object: z.literal("webhook_endpoint"),
    url: z.string(),
    events: z.array(z.string()),
    created_at: unixTime,
  })
  .openapi("WebhookEndpoint");

const endpointWithSecretSchema = endpointSchema
  .extend({ secret: z.string().openapi({ description: "The signing secret (`whsec_…`), shown only in this response" }) })
  .openapi("WebhookEndpointWithSecret");

const deliverySchema = z
  .object({
    id: z.string().openapi({ description: "The delivery's id: its `webhook-id`" }),
    object: z.literal("webhook.delivery"),
    webhook_id: z.string().openapi({ description: "The `webhook-id` header: the same on every attempt" }),
    event_id: z.string(),
    type: z.string(),
    attempts: z.number().int(),
    delivered_at: unixTime.nullable(),
    last_error: z.string().nullable(),
    gave_up: z.boolean(),
    next_attempt_at: unixTime.nullable(),
    created_at: unixTime,
  })
  .openapi("WebhookDelivery");

/** The URL as checked (normalised), or a 400 saying why it cannot receive webhooks. */
function checkedUrl(env: Bindings, url: string): string {
  return checkWebhookUrl(url, parseDenyList(env.WEBHOOK_DENY_HOSTS), "url").href;
}

export const webhookRoutes = createRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["webhooks"],
      summary: "Add a webhook endpoint (its signing secret is shown once)",
      security: TENANT_SECURITY,
      request: {
        headers: idempotencyKeyHeader,
        body: { required: true, content: { "application/json": { schema: z.object({ url: urlField, events: eventsField }).strict() } } },
      },
      responses: { 201: jsonContent(endpointWithSecretSchema, "The endpoint and its secret"), ...errorResponses(400, 401, 409) },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const { endpoint, secret } = await tenantHandle(c).webhooks.create({ url: checkedUrl(c.env, body.url), events: body.events });
      return c.json({ ...withUnixTimes(endpoint), secret }, 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["webhooks"],
      summary: "List the tenant's webhook endpoints",
      security: TENANT_SECURITY,
      request: { query: pageQuery() },
      responses: { 200: jsonContent(listSchema(endpointSchema), "A page of endpoints, in the order created"), ...errorResponses(400, 401) },
    }),
    async (c) => {
      const page = await tenantHandle(c).webhooks.list(pageOf(c.req.valid("query")));
      return c.json(listBody(page.data.map(withUnixTimes), page.has_more), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}",
      tags: ["webhooks"],
      summary: "One webhook endpoint",
      security: TENANT_SECURITY,
      request: { params: idParams },
      responses: { 200: jsonContent(endpointSchema, "The endpoint"), ...errorResponses(401, 404) },
    }),
    async (c) => c.json(withUnixTimes(await tenantHandle(c).webhooks.get(c.req.valid("param").id)), 200),
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/{id}",
      tags: ["webhooks"],
      summary: "Change an endpoint's URL or events (deliveries still owed go to the new URL)",
      security: TENANT_SECURITY,
      request: {
        params: idParams,
        body: { required: true, content: { "application/json": { schema: z.object({ url: urlField.optional(), events: eventsField.optional() }).strict() } } },
      },
      responses: { 200: jsonContent(endpointSchema, "The endpoint"), ...errorResponses(400, 401, 404) },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const patch = { ...(body.url === undefined ? {} : { url: checkedUrl(c.env, body.url) }), ...(body.events === undefined ? {} : { events: body.events }) };
      return c.json(withUnixTimes(await tenantHandle(c).webhooks.update(c.req.valid("param").id, patch)), 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/{id}",
      tags: ["webhooks"],
      summary: "Delete a webhook endpoint (nothing more is sent to it)",
      security: TENANT_SECURITY,
      request: { params: idParams },
      responses: {
        200: jsonContent(z.object({ id: z.string(), object: z.literal("webhook_endpoint"), deleted: z.literal(true) }), "Deleted"),
        ...errorResponses(401, 404),
      },
    }),
    async (c) => c.json(await tenantHandle(c).webhooks.remove(c.req.valid("param").id), 200),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/{id}/rotate_secret",
      tags: ["webhooks"],
      summary: "Replace the signing secret (shown once); the old one also signs for 24 hours",
      security: TENANT_SECURITY,
      request: { params: idParams, headers: idempotencyKeyHeader },
      responses: { 200: jsonContent(endpointWithSecretSchema, "The endpoint and its new secret"), ...errorResponses(401, 404) },
    }),
    async (c) => {
      const { endpoint, secret } = await tenantHandle(c).webhooks.rotateSecret(c.req.valid("param").id);
      return c.json({ ...withUnixTimes(endpoint), secret }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/{id}/deliveries",
      tags: ["webhooks"],
      summary: "An endpoint's recent deliveries (newest first, up to 100; kept 30 days)",
      security: TENANT_SECURITY,
      request: { params: idParams, query: pageQuery() },
      responses: { 200: jsonContent(listSchema(deliverySchema), "A page of deliveries, newest first"), ...errorResponses(400, 401, 404) },
    }),
    async (c) => {
      const page = await tenantHandle(c).webhooks.deliveries(c.req.valid("param").id, pageOf(c.req.valid("query")));
      return c.json(listBody(page.data.map(withUnixTimes), page.has_more), 200);
    },
  );
