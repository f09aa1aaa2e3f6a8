import { nowIso } from "../lib/clock";
/**
 * Forward-only schema migrations for a SQLite-backed Durable Object. Each entry
 * runs once, in order, inside `blockConcurrencyWhile`; the applied count lives
 * in a `_migrations` table so that later issues can append without touching
 * earlier steps.
 */
export function migrate(sql: SqlStorage, steps: readonly string[]): void {
  sql.exec("CREATE TABLE IF NOT EXISTS _migrations (id INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
  const row = sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM _migrations").one();
  for (let i = row.n; i < steps.length; i++) {
    sql.exec(steps[i]!);
    sql.exec("INSERT INTO _migrations (id, applied_at) VALUES (?, ?)", i + 1, nowIso());
  }
}
