import { keyOf, keysetPage, type PageQuery } from "../keyset";
import { subscribes, type WebhookEvent } from "../../webhooks/events";
import { all, first, flag, json, num, numOrNull, rowOf, text, textOrNull } from "../sql-rows";

/** A tenant's webhook endpoint as the API shows it: never its secrets. */
export interface WebhookEndpoint {
  id: string;
  object: "webhook_endpoint";
  url: string;
  events: string[];
  created_at: string;
}

/** An endpoint with what signing needs. */
export interface EndpointRow extends Omit<WebhookEndpoint, "object"> {
  secret: string;
  previous_secret: string | null;
  /** Until when (clock ms) the secret before the last rotation still signs. */
  previous_secret_until: number | null;
}

/** One event's delivery to one endpoint, as the API shows it. */
export interface WebhookDelivery {
  /** Its `webhook-id`, the same on every attempt. */
  id: string;
  object: "webhook.delivery";
  webhook_id: string;
  event_id: string;
  type: string;
  attempts: number;
  delivered_at: string | null;
  last_error: string | null;
  gave_up: boolean;
  /** When the next attempt is due, or null when none is. */
  next_attempt_at: string | null;
  created_at: string;
}

/** A delivery due now, with its event's body. */
export interface DueDelivery {
  event_id: string;
  endpoint_id: string;
  attempts: number;
  body: string;
}

const endpointRow = rowOf<EndpointRow>()({
  id: text,
  url: text,
  events: json<string[]>(),
  created_at: text,
  secret: text,
  previous_secret: textOrNull,
  previous_secret_until: numOrNull,
});
const deliveryRow = rowOf<Omit<WebhookDelivery, "id" | "object" | "webhook_id" | "next_attempt_at"> & { endpoint_id: string; next_at: number | null }>()({
  event_id: text,
  endpoint_id: text,
  type: text,
  attempts: num,
  delivered_at: textOrNull,
  last_error: textOrNull,
  gave_up: flag,
  next_at: numOrNull,
  created_at: text,
});
const dueRow = rowOf<DueDelivery>()({ event_id: text, endpoint_id: text, attempts: num, body: text });

/** The message id of one event to one endpoint: the same on every retry, different per endpoint. */
export const webhookIdOf = (eventId: string, endpointId: string) => `${eventId}_${endpointId}`;

export function endpointView(row: EndpointRow): WebhookEndpoint {
  return { id: row.id, object: "webhook_endpoint", url: row.url, events: row.events, created_at: row.created_at };
}

export function insertEndpoint(sql: SqlStorage, row: Omit<EndpointRow, "previous_secret" | "previous_secret_until">): void {
  sql.exec(
    "INSERT INTO webhook_endpoints (id, url, events, secret, created_at) VALUES (?, ?, ?, ?, ?)",
    row.id,
    row.url,
    JSON.stringify(row.events),
    row.secret,
    row.created_at,
  );
}

export function countEndpoints(sql: SqlStorage): number {
  return sql.exec<{ n: number }>("SELECT count(*) AS n FROM webhook_endpoints").one().n;
}

export function listEndpoints(sql: SqlStorage): EndpointRow[] {
  return all(endpointRow, sql, "SELECT * FROM webhook_endpoints ORDER BY created_at, id");
}

/** A page of endpoints in the order created, keyset-paged by id. */
export function pageEndpoints(sql: SqlStorage, q: PageQuery): { data: EndpointRow[]; has_more: boolean } {
  const page = keysetPage(
    sql,
    {
      select: "SELECT rowid AS _key, * FROM webhook_endpoints",
      where: [],
      args: [],
      key: "rowid",
      order: "asc",
      cursor: keyOf(sql, "SELECT rowid AS _key FROM webhook_endpoints WHERE id = ?"),
      noun: "webhook endpoint",
    },
    q,
  );
  return { data: page.rows.map(endpointRow), has_more: page.has_more };
}

export function getEndpoint(sql: SqlStorage, id: string): EndpointRow | null {
  return first(endpointRow, sql, "SELECT * FROM webhook_endpoints WHERE id = ?", id);
}

export function updateEndpoint(sql: SqlStorage, id: string, patch: { url?: string; events?: string[] }): void {
  if (patch.url !== undefined) sql.exec("UPDATE webhook_endpoints SET url = ? WHERE id = ?", patch.url, id);
  if (patch.events !== undefined) sql.exec("UPDATE webhook_endpoints SET events = ? WHERE id = ?", JSON.stringify(patch.events), id);
}

/** Removes an endpoint and the deliveries still owed to it (nothing is sent to it afterwards). */
export function deleteEndpoint(sql: SqlStorage, id: string): boolean {
  const gone = sql.exec("DELETE FROM webhook_endpoints WHERE id = ?", id).rowsWritten > 0;
  sql.exec("DELETE FROM webhook_deliveries WHERE endpoint_id = ?", id);
  return gone;
}

/** Replaces the secret; the one it replaces keeps signing (beside the new one) until `previousUntil`. */
export function rotateSecret(sql: SqlStorage, id: string, secret: string, previousUntil: number): void {
  sql.exec(
    "UPDATE webhook_endpoints SET previous_secret = secret, previous_secret_until = ?, secret = ? WHERE id = ?",
    previousUntil,
    secret,
    id,
  );
}

/** The secrets a delivery is signed with at `nowMs` (clock): the current one, and the previous while it lasts. */
export function secretsOf(row: EndpointRow, nowMs: number): string[] {
  return row.previous_secret && (row.previous_secret_until ?? 0) > nowMs ? [row.secret, row.previous_secret] : [row.secret];
}

/**
 * Records an event and one delivery per endpoint subscribed to its type, due at `dueAt`. A repeat
 * of an event already recorded writes nothing (returns 0): emitting is idempotent by event id.
 */
export function enqueueEvent(sql: SqlStorage, event: WebhookEvent<string, unknown>, createdAt: string, dueAt: number): number {
  const inserted = sql.exec(
    "INSERT OR IGNORE INTO webhook_events (id, type, body, created_at) VALUES (?, ?, ?, ?)",
    event.id,
    event.type,
    JSON.stringify(event),
    createdAt,
  ).rowsWritten;
  if (!inserted) return 0;
  let deliveries = 0;
  for (const endpoint of listEndpoints(sql)) {
    if (!subscribes(endpoint.events, event.type)) continue;
    sql.exec(
      "INSERT OR IGNORE INTO webhook_deliveries (event_id, endpoint_id, next_at, created_at) VALUES (?, ?, ?, ?)",
      event.id,
      endpoint.id,
      dueAt,
      createdAt,
    );
    deliveries++;
  }
  return deliveries;
}

/**
 * Up to `limit` deliveries due at `nowMs`, oldest first, each claimed until `claimUntil`: a run of
 * the alarm that overlaps this one (a platform retry) leaves them alone.
 */
export function claimDue(sql: SqlStorage, nowMs: number, claimUntil: number, limit: number): DueDelivery[] {
  const due = all(
    dueRow,
    sql,
    `SELECT d.event_id, d.endpoint_id, d.attempts, e.body FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
     WHERE d.next_at IS NOT NULL AND d.next_at <= ? ORDER BY d.next_at LIMIT ?`,
    nowMs,
    limit,
  );
  for (const d of due) {
    sql.exec("UPDATE webhook_deliveries SET next_at = ? WHERE event_id = ? AND endpoint_id = ?", claimUntil, d.event_id, d.endpoint_id);
  }
  return due;
}

/** Records one attempt's outcome: delivered, given up (`nextAt` null) or due again at `nextAt`. */
export function recordAttempt(
  sql: SqlStorage,
  d: Pick<DueDelivery, "event_id" | "endpoint_id">,
  outcome: { deliveredAt: string | null; error: string | null; nextAt: number | null },
): void {
  sql.exec(
    `UPDATE webhook_deliveries SET attempts = attempts + 1, delivered_at = ?, last_error = coalesce(?, last_error), next_at = ?, gave_up = ?
     WHERE event_id = ? AND endpoint_id = ?`,
    outcome.deliveredAt,
    outcome.error,
    outcome.nextAt,
    outcome.deliveredAt === null && outcome.nextAt === null ? 1 : 0,
    d.event_id,
    d.endpoint_id,
  );
}

/** The earliest time (clock ms) a delivery is due, or null when nothing is owed. */
export function nextDueAt(sql: SqlStorage): number | null {
  return sql.exec<{ at: number | null }>("SELECT min(next_at) AS at FROM webhook_deliveries WHERE next_at IS NOT NULL").one().at;
}

/** An endpoint's deliveries, newest first. */
export function listDeliveries(sql: SqlStorage, endpointId: string, q: PageQuery): { data: WebhookDelivery[]; has_more: boolean } {
  const page = keysetPage(
    sql,
    {
      select: "SELECT d.rowid AS _key, d.*, e.type FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id",
      where: ["d.endpoint_id = ?"],
      args: [endpointId],
      key: "d.rowid",
      order: "desc",
      // A delivery's public id is its webhook-id, `<event id>_<endpoint id>`.
      cursor: keyOf(sql, "SELECT rowid AS _key FROM webhook_deliveries WHERE event_id || '_' || endpoint_id = ? AND endpoint_id = ?", endpointId),
      noun: "delivery",
    },
    q,
  );
  const data = page.rows.map(deliveryRow).map(({ endpoint_id, next_at, ...d }) => {
    const id = webhookIdOf(d.event_id, endpoint_id);
    return { id, object: "webhook.delivery" as const, webhook_id: id, ...d, next_attempt_at: next_at === null ? null : new Date(next_at).toISOString() };
  });
  return { data, has_more: page.has_more };
}

/** Forgets finished deliveries created before `before` (ISO), and events no delivery needs any more. */
export function pruneDeliveries(sql: SqlStorage, before: string): void {
  sql.exec("DELETE FROM webhook_deliveries WHERE next_at IS NULL AND created_at < ?", before);
  sql.exec("DELETE FROM webhook_events WHERE created_at < ? AND id NOT IN (SELECT event_id FROM webhook_deliveries)", before);
}
