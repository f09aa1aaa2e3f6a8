import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../openapi/router";
import { jsonContent } from "../openapi/schemas";
import { nowIso } from "../lib/clock";

const healthSchema = z.object({ status: z.literal("ok"), time: z.string() }).openapi("Health");

export const healthRoutes = createRouter().openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: ["meta"],
    summary: "Liveness check",
    responses: { 200: jsonContent(healthSchema, "The Worker is up") },
  }),
  (c) => c.json({ status: "ok" as const, time: nowIso() }, 200),
);
