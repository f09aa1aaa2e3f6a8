import type { JobRecord } from "./record";
import type { ProviderEvent } from "../../providers/types";
import { keyOf, keysetPage, type PageQuery } from "../keyset";

/** The job's SQLite schema. Append new steps; never edit old ones. */
export const JOB_MIGRATIONS = [
  `CREATE TABLE job (id INTEGER PRIMARY KEY CHECK (id = 1), record TEXT NOT NULL)`,
  `CREATE TABLE events (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     source TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     level TEXT NOT NULL,
     type TEXT,
     message TEXT NOT NULL
   )`,
] as const;

/** An event as a job read shows it: the provider's, or Distillery's own (state changes, retries). */
export interface JobEvent extends ProviderEvent {
  source: "provider" | "distillery";
}

export function loadRecord(sql: SqlStorage): JobRecord | null {
  const row = sql.exec<{ record: string }>("SELECT record FROM job WHERE id = 1").toArray()[0];
  return row ? (JSON.parse(row.record) as JobRecord) : null;
}

export function saveRecord(sql: SqlStorage, record: JobRecord): void {
  sql.exec("INSERT INTO job (id, record) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET record = excluded.record", JSON.stringify(record));
}

/** Adds events not seen before (ids are stable across polls); returns how many were new. */
export function addEvents(sql: SqlStorage, source: JobEvent["source"], events: readonly ProviderEvent[]): number {
  let added = 0;
  for (const e of events) {
    const cursor = sql.exec(
      "INSERT OR IGNORE INTO events (id, source, created_at, level, type, message) VALUES (?, ?, ?, ?, ?, ?)",
      e.id, source, e.created_at, e.level, e.type, e.message,
    );
    added += cursor.rowsWritten;
  }
  return added;
}

const eventRow = (r: Record<string, SqlStorageValue>): JobEvent => ({
  id: r.id as string,
  source: r.source as JobEvent["source"],
  created_at: r.created_at as number,
  level: r.level as JobEvent["level"],
  type: (r.type as string | null) ?? null,
  message: r.message as string,
});

/** Events newest first (as OpenAI lists a job's events), keyset-paged after or before an event id. */
export function pageEvents(sql: SqlStorage, q: PageQuery): { data: JobEvent[]; has_more: boolean } {
  const page = keysetPage(
    sql,
    {
      select: "SELECT seq AS _key, * FROM events",
      where: [],
      args: [],
      key: "seq",
      order: "desc",
      cursor: keyOf(sql, "SELECT seq AS _key FROM events WHERE id = ?"),
      noun: "event",
    },
    q,
  );
  return { data: page.rows.map(eventRow), has_more: page.has_more };
}

/** Events oldest first; the most recent `limit` of them. */
export function listEvents(sql: SqlStorage, limit: number): JobEvent[] {
  return sql
    .exec<Record<string, SqlStorageValue>>(
      "SELECT * FROM (SELECT * FROM events ORDER BY seq DESC LIMIT ?) ORDER BY seq ASC",
      limit,
    )
    .toArray()
    .map(eventRow);
}

export function countEvents(sql: SqlStorage): number {
  return sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM events").one().n;
}
