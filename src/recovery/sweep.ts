import { openTenant } from "../durable/tenant";
import { sweepIndexKey } from "../durable/tenant/recovery";
import type { Bindings } from "../env";
import { nowIso, nowMs } from "../lib/clock";
import { newId } from "../lib/ids";
import { logLine } from "../lib/log";
import "./built-in";
import "./deployments";
import { sweepKinds, type KindCounts } from "./kinds";

/** KV `TENANTS` key of the last run's report (GET /admin/sweeper). */
export const SWEEP_REPORT_KEY = "sweeper:last";
/** Tenants one run visits at most (a run has 15 minutes; the rest are visited by the next). */
const MAX_TENANTS_PER_RUN = 1_000;

export interface SweepReport {
  run_id: string;
  started_at: string;
  finished_at: string;
  tenants: number;
  tenants_settled: number;
  kinds: Record<string, KindCounts>;
}

/**
 * One sweep: every tenant on the index of tenants with work in flight (KV `TENANTS`,
 * `inflight:{id}`, kept by the Tenant object as work starts), every registered kind: its stalled
 * items taken and repaired. A tenant with nothing in flight leaves the index, so a run costs the
 * busy tenants, not all of them. The report is kept for GET /admin/sweeper.
 */
export async function runSweep(env: Bindings): Promise<SweepReport> {
  const runId = newId("sweep");
  const report: SweepReport = { run_id: runId, started_at: nowIso(), finished_at: "", tenants: 0, tenants_settled: 0, kinds: {} };
  const kinds = sweepKinds();
  for (const kind of kinds) report.kinds[kind.name] = { found: 0, resumed: 0, gave_up: 0, errors: 0 };
  let cursor: string | undefined;
  do {
    const page = await env.TENANTS.list({ prefix: sweepIndexKey(""), cursor, limit: 100 });
    for (const { name } of page.keys) {
      if (report.tenants >= MAX_TENANTS_PER_RUN) break;
      report.tenants++;
      const tenantId = name.slice(sweepIndexKey("").length);
      using tenant = openTenant(env, tenantId);
      const at = nowMs();
      for (const kind of kinds) {
        const counts = report.kinds[kind.name]!;
        try {
          const items = await kind.find(tenant, at);
          counts.found += items.length;
          for (const item of items) {
            if (item.action === "gave_up") {
              counts.gave_up++;
              continue;
            }
            try {
              await kind.repair(env, tenant, item, `${runId}:${tenantId}`);
              counts.resumed++;
            } catch (err) {
              // Its lease was renewed when taken: the next run tries again.
              counts.errors++;
              logLine("error", "sweep repair failed", { kind: kind.name, tenant: tenantId, error: err instanceof Error ? err.message : String(err) });
            }
          }
        } catch (err) {
          counts.errors++;
          logLine("error", "sweep failed", { kind: kind.name, tenant: tenantId, error: err instanceof Error ? err.message : String(err) });
        }
      }
      if (await tenant.recovery.settle(tenantId)) report.tenants_settled++;
    }
    cursor = page.list_complete || report.tenants >= MAX_TENANTS_PER_RUN ? undefined : page.cursor;
  } while (cursor);
  report.finished_at = nowIso();
  await env.TENANTS.put(SWEEP_REPORT_KEY, JSON.stringify(report));
  logLine("info", "sweep", { run_id: runId, tenants: report.tenants, kinds: JSON.stringify(report.kinds) });
  return report;
}
