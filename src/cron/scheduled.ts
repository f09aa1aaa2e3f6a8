import type { Bindings } from "../env";
import { logLine } from "../lib/log";
import { runSweep } from "../recovery/sweep";

/** Cron trigger: the sweeper resumes lost work (src/recovery/); the retraining policy arrives with the operations issue. */
export async function runScheduled(controller: ScheduledController, env: Bindings, _ctx: ExecutionContext): Promise<void> {
  logLine("info", "cron", { cron: controller.cron, scheduled_time: new Date(controller.scheduledTime).toISOString() });
  await runSweep(env);
}
