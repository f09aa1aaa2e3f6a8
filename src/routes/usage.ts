import { createRoute, z } from "@hono/zod-openapi";
import { tenantHandle } from "../auth/middleware";
import { ApiError } from "../errors";
import { createRouter } from "../openapi/router";
import { errorResponses, jsonContent, TENANT_SECURITY } from "../openapi/schemas";
import { today } from "../lib/clock";
import { usdOf } from "../lib/money";

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a day as YYYY-MM-DD");

const usageRowSchema = z
  .object({
    day: z.string(),
    model: z.string(),
    kind: z.enum(["chat", "embedding"]),
    calls: z.number(),
    prompt_tokens: z.number(),
    completion_tokens: z.number(),
    cost_usd: z.number().openapi({ description: "Dollars, exact to 6 decimals (summed in micro-dollars)" }),
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
    const rows = await tenantHandle(c).usage.between(from, to);
    // Summed in integer micro-dollars (exact), shown as dollars to 6 decimals.
    const totals = rows.reduce(
      (t, r) => ({
        calls: t.calls + r.calls,
        prompt_tokens: t.prompt_tokens + r.prompt_tokens,
        completion_tokens: t.completion_tokens + r.completion_tokens,
        cost_micros: t.cost_micros + r.cost_micros,
      }),
      { calls: 0, prompt_tokens: 0, completion_tokens: 0, cost_micros: 0 },
    );
    const data = rows.map(({ cost_micros, ...r }) => ({ ...r, cost_usd: usdOf(cost_micros) }));
    const { cost_micros, ...sums } = totals;
    return c.json({ from, to, data, totals: { ...sums, cost_usd: usdOf(cost_micros) } }, 200);
  },
);
