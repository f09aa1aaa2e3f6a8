import { now, nowMs } from "../../../lib/clock";
import { recordUsage, recordUsageEvents, usageBetween, type UsageEntry, type UsageEvent, type UsageRow } from "../usage";
import { Surface, surface } from "./surface";
import { type CaptureIntake, type CaptureOutcome, storeCapture } from "../captures";
import { ApiError } from "../../../errors";

/** Token usage and cost per day, model and kind of call. */
export class UsageSurface extends Surface {
  record(entries: UsageEntry[]): void {
    const at = now();
    for (const e of entries) recordUsage(this.sql, e, at);
  }

  /**
   * A batch of the usage queue's events for this tenant, in one write (one transaction: the
   * object's synchronous SQL commits together); events seen before are skipped. Answers how many
   * were new.
   */
  recordEvents(events: UsageEvent[]): number {
    return recordUsageEvents(this.sql, events, nowMs());
  }

  /**
   * One batch of the usage queue for this tenant — usage events and captured exchanges — in one
   * call: the queue's promise of at most one object write per batch per tenant. Each capture is
   * stored on its own (a dataset deleted since the exchange fails only its capture, reported).
   */
  async intake(events: UsageEvent[], captures: CaptureIntake[]): Promise<{ recorded: number; captures: CaptureOutcome[] }> {
    const recorded = recordUsageEvents(this.sql, events, nowMs());
    const outcomes: CaptureOutcome[] = [];
    for (const c of captures) {
      try {
        outcomes.push({ ok: true, ...(await storeCapture(this.sql, c.dataset, c.row, { queued: true })) });
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        outcomes.push({ ok: false, error: err.message });
      }
    }
    return { recorded, captures: outcomes };
  }

  /** Rows between two days (inclusive, YYYY-MM-DD), oldest first. */
  between(from: string, to: string): UsageRow[] {
    return usageBetween(this.sql, from, to);
  }
}
surface(UsageSurface, "usage");
