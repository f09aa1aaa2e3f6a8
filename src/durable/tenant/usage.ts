/** Token usage and cost per day, model and kind of call, in the tenant's database. */
import { toMicros } from "../../lib/money";
import { all, num, oneOf, rowOf, text } from "../sql-rows";

export interface UsageEntry {
  model: string;
  kind: "chat" | "embedding";
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: number;
}

/** A day's usage of a model, its cost in integer micro-dollars (the route shows dollars). */
export interface UsageRow extends Omit<UsageEntry, "cost_usd"> {
  day: string;
  calls: number;
  cost_micros: number;
}

const usageRow = rowOf<UsageRow>()({
  day: text,
  model: text,
  kind: oneOf<UsageEntry["kind"]>(),
  calls: num,
  prompt_tokens: num,
  completion_tokens: num,
  cost_micros: num,
});

/** Adds one call's usage to its day's row. */
export function recordUsage(sql: SqlStorage, entry: UsageEntry, at: Date): void {
  const day = at.toISOString().slice(0, 10);
  sql.exec(
    `INSERT INTO usage (day, model, kind, calls, prompt_tokens, completion_tokens, cost_usd, cost_micros) VALUES (?, ?, ?, 1, ?, ?, 0, ?)
     ON CONFLICT (day, model, kind) DO UPDATE SET calls = calls + 1, prompt_tokens = prompt_tokens + excluded.prompt_tokens,
       completion_tokens = completion_tokens + excluded.completion_tokens, cost_micros = cost_micros + excluded.cost_micros`,
    day,
    entry.model,
    entry.kind,
    entry.prompt_tokens,
    entry.completion_tokens,
    toMicros(entry.cost_usd),
  );
}

/** Usage rows between two days (inclusive, YYYY-MM-DD), oldest first. */
export function usageBetween(sql: SqlStorage, from: string, to: string): UsageRow[] {
  return all(usageRow, sql, "SELECT day, model, kind, calls, prompt_tokens, completion_tokens, cost_micros FROM usage WHERE day >= ? AND day <= ? ORDER BY day, model, kind", from, to);
}

/** One request's usage as the usage queue carries it: its id, when the calls were made, the calls. */
export interface UsageEvent {
  id: string;
  at: string;
  entries: UsageEntry[];
}

/**
 * How long an event id is remembered: a queue message is redelivered within its retries' delays
 * (at most 24 h each; ours are minutes), so a week is far past any redelivery.
 */
export const USAGE_EVENT_KEEP_MS = 7 * 24 * 3_600_000;

/**
 * Records usage events not recorded before (by id), each on its own day; answers how many were
 * new. Ids older than USAGE_EVENT_KEEP_MS are forgotten on the way.
 */
export function recordUsageEvents(sql: SqlStorage, events: readonly UsageEvent[], nowMs: number): number {
  let added = 0;
  for (const e of events) {
    const at = new Date(e.at);
    if (sql.exec("INSERT OR IGNORE INTO usage_events (id, at) VALUES (?, ?)", e.id, at.getTime()).rowsWritten === 0) continue;
    for (const entry of e.entries) recordUsage(sql, entry, at);
    added++;
  }
  sql.exec("DELETE FROM usage_events WHERE at < ?", nowMs - USAGE_EVENT_KEEP_MS);
  return added;
}
