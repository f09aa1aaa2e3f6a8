import { first, num, numOrNull, rowOf, text, textOrNull } from "../sql-rows";

/**
 * Idempotency records for POSTs that create things or spend money. A key is
 * reserved before the handler runs, so two concurrent first attempts cannot
 * both execute; the first final answer is stored and replayed.
 */
export type IdempotencyBegin =
  | { state: "new" }
  | { state: "replay"; status: number; contentType: string | null; body: string }
  | { state: "mismatch" }
  | { state: "in_progress" };

export interface StoredResponse {
  status: number;
  contentType: string | null;
  body: string;
}

/** Records are kept a day, as most payment APIs do. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** A reservation older than this is taken to belong to a crashed request and may be retried. */
const STALE_RESERVATION_MS = 5 * 60 * 1000;

interface Reservation {
  fingerprint: string;
  state: string;
  status: number | null;
  content_type: string | null;
  body: string | null;
  created_at: number;
}

const reservationRow = rowOf<Reservation>()({
  fingerprint: text,
  state: text,
  status: numOrNull,
  content_type: textOrNull,
  body: textOrNull,
  created_at: num,
});

export function beginIdempotent(sql: SqlStorage, key: string, fingerprint: string, now: number): IdempotencyBegin {
  sql.exec("DELETE FROM idempotency WHERE created_at < ?", now - IDEMPOTENCY_TTL_MS);
  const row = first(reservationRow, sql, "SELECT * FROM idempotency WHERE key = ?", key);
  if (row) {
    if (row.fingerprint !== fingerprint) return { state: "mismatch" };
    if (row.state === "done") {
      return { state: "replay", status: row.status ?? 200, contentType: row.content_type, body: row.body ?? "" };
    }
    if (now - row.created_at < STALE_RESERVATION_MS) return { state: "in_progress" };
  }
  sql.exec(
    "INSERT OR REPLACE INTO idempotency (key, fingerprint, state, created_at) VALUES (?, ?, 'pending', ?)",
    key,
    fingerprint,
    now,
  );
  return { state: "new" };
}

export function completeIdempotent(sql: SqlStorage, key: string, response: StoredResponse): void {
  sql.exec(
    "UPDATE idempotency SET state = 'done', status = ?, content_type = ?, body = ? WHERE key = ?",
    response.status,
    response.contentType,
    response.body,
    key,
  );
}

export function releaseIdempotent(sql: SqlStorage, key: string): void {
  sql.exec("DELETE FROM idempotency WHERE key = ? AND state = 'pending'", key);
}
