import { createRoute, z } from "@hono/zod-openapi";
import { tenantHandle } from "../auth/middleware";
import { ApiError } from "../errors";
import { createRouter } from "../openapi/router";
import { errorResponses, jsonContent, TENANT_SECURITY } from "../openapi/schemas";
import { today } from "../lib/clock";

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a day as YYYY-MM-DD");

const usageRowSchema = z
  .object({
    day: z.string(),
    model: z.string(),
    kind: z.enum(["chat", "embedding"]),
    calls: z.number(),
    prompt_tokens: z.number(),
    completion_tokens: z.number(),
    cost_usd: z.number(),
  })
  .openapi("UsageRow");

export const usageRoutes = createRouter().openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: ["usage"],
    summary: "Tokens and cost per day and model (prices from the model catalog)",
    security: TENANT_SECURITY,
    request: { query: z.object({ from: day.optional(), to: day.optional() }) },
    responses: {
      200: jsonContent(
        z.object({
          from: z.string(),
          to: z.string(),
          data: z.array(usageRowSchema),
          totals: z.object({ calls: z.number(), prompt_tokens: z.number(), completion_tokens: z.number(), cost_usd: z.number() }),
        }),
        "Usage",
      ),
      ...errorResponses(400, 401),
    },
  }),
  async (c) => {
    const { from = "0000-01-01", to = today() } = c.req.valid("query");
    if (from > to) throw new ApiError("validation_failed", "`from` is after `to`.", { details: [{ path: "from", message: "after to" }] });
    const data = await tenantHandle(c).usage.between(from, to);
    const totals = data.reduce(
      (t, r) => ({
        calls: t.calls + r.calls,
        prompt_tokens: t.prompt_tokens + r.prompt_tokens,
        completion_tokens: t.completion_tokens + r.completion_tokens,
        cost_usd: t.cost_usd + r.cost_usd,
      }),
      { calls: 0, prompt_tokens: 0, completion_tokens: 0, cost_usd: 0 },
    );
    return c.json({ from, to, data, totals }, 200);
  },
);
