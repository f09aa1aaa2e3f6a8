import type { Bindings } from "../env";
import { logLine } from "../lib/log";

/** Cron trigger: the retraining policy arrives with the operations issue. */
export async function runScheduled(controller: ScheduledController, _env: Bindings, _ctx: ExecutionContext): Promise<void> {
  logLine("info", "cron", { cron: controller.cron, scheduled_time: new Date(controller.scheduledTime).toISOString() });
}
