import { now, nowMs } from "../../../lib/clock";
import { recordUsage, recordUsageEvents, usageBetween, type UsageEntry, type UsageEvent, type UsageRow } from "../usage";
import { Surface, surface } from "./surface";

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

  /** Rows between two days (inclusive, YYYY-MM-DD), oldest first. */
  between(from: string, to: string): UsageRow[] {
    return usageBetween(this.sql, from, to);
  }
}
surface(UsageSurface, "usage");
