import { now } from "../../../lib/clock";
import { recordUsage, usageBetween, type UsageEntry, type UsageRow } from "../usage";
import { Surface, surface } from "./surface";

/** Token usage and cost per day, model and kind of call. */
export class UsageSurface extends Surface {
  record(entries: UsageEntry[]): void {
    const at = now();
    for (const e of entries) recordUsage(this.sql, e, at);
  }

  /** Rows between two days (inclusive, YYYY-MM-DD), oldest first. */
  between(from: string, to: string): UsageRow[] {
    return usageBetween(this.sql, from, to);
  }
}
surface(UsageSurface, "usage");
