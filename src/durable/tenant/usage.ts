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
