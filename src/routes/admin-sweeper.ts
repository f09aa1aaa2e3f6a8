import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../openapi/router";
import { ADMIN_SECURITY, errorResponses, jsonContent, unixTime } from "../openapi/schemas";
import { withUnixTimes } from "../lib/unix-time";
import { SWEEP_REPORT_KEY, type SweepReport } from "../recovery/sweep";

const countsSchema = z.object({ found: z.number(), resumed: z.number(), gave_up: z.number(), errors: z.number() });

const reportSchema = z
  .object({
    last_run: z
      .object({
        run_id: z.string(),
        started_at: unixTime,
        finished_at: unixTime,
        tenants: z.number().openapi({ description: "Tenants visited (those with work in flight)" }),
        tenants_settled: z.number().openapi({ description: "Tenants that left the index: nothing in flight any more" }),
        kinds: z.record(z.string(), countsSchema).openapi({ description: "Per kind of work: stalled items found, resumed, given up, repairs that failed" }),
      })
      .nullable(),
  })
  .openapi("SweeperReport");

/** What the sweeper did on its last run (the cron runs it; see README, Recovery). */
export const adminSweeperRoutes = createRouter().openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: ["admin"],
    summary: "The sweeper's last run: when, how many tenants, and per kind what it found, resumed and gave up",
    security: ADMIN_SECURITY,
    responses: { 200: jsonContent(reportSchema, "The last run (null before the first)"), ...errorResponses(401, 403) },
  }),
  async (c) => {
    const last = await c.env.TENANTS.get<SweepReport>(SWEEP_REPORT_KEY, { type: "json" });
    return c.json({ last_run: last ? withUnixTimes(last) : null }, 200);
  },
);
