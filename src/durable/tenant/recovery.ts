import { nowIso, nowMs } from "../../lib/clock";
import { logLine } from "../../lib/log";

/**
 * Leases on in-flight work, in the tenant's database. A document being ingested and a dataset
 * generating, labeling or writing its files carry `lease_until`, renewed by every step of their
 * work; a lease that lapses means the work was lost (a crashed consumer, a message never sent),
 * and the sweeper (src/recovery/) finds it and repairs it. Times are the clock seam's.
 */

/** A dataset with no step seen for this long is stalled. Longer than a label step's lease (5 min), so a lost step's slot is free again by then. */
export const DATASET_LEASE_MS = 10 * 60_000;
/** A document with no ingest progress for this long is stalled. */
export const DOCUMENT_LEASE_MS = 10 * 60_000;
/** How many times the sweeper resumes one piece of work before it records it failed (a poison input must not loop for ever). */
export const MAX_RECOVERIES = 3;

/** Whether an in-flight record's lease has lapsed (a null lease: written before leases existed). */
export function isStalled(status: string, leaseUntil: number | null, inFlight: readonly string[], at = nowMs()): boolean {
  return inFlight.includes(status) && (leaseUntil ?? 0) <= at;
}

export const DATASET_IN_FLIGHT = ["generating", "labeling", "writing"] as const;
export const DOCUMENT_IN_FLIGHT = ["pending", "processing"] as const;

/** A stalled record the sweeper took: resume it, or it used up its recoveries and was failed. */
export interface Taken {
  id: string;
  status: string;
  action: "resume" | "gave_up";
  /** For a dataset: whether it is a snapshot (its files are what is left to write). */
  snapshot?: boolean;
}

const gaveUp = (n: number) => `abandoned: its work was lost ${n} times (the sweeper resumed it each time); retry it with POST …/retry`;

/**
 * Takes the stalled datasets among `statuses`: each gets a fresh lease (so a second sweep does not
 * take it twice) and one more recovery, or, past MAX_RECOVERIES, fails with why.
 */
export function takeStalledDatasets(sql: SqlStorage, statuses: readonly string[], at: number, limit: number): Taken[] {
  const rows = sql
    .exec<{ id: string; status: string; recoveries: number; snapshot_of: string | null }>(
      `SELECT id, status, recoveries, snapshot_of FROM datasets
       WHERE status IN (${statuses.map(() => "?").join(", ")}) AND COALESCE(lease_until, 0) <= ? LIMIT ?`,
      ...statuses,
      at,
      limit,
    )
    .toArray();
  return rows.map((r) => {
    if (r.recoveries >= MAX_RECOVERIES) {
      sql.exec("UPDATE datasets SET status = 'failed', error = ?, lease_until = NULL, updated_at = ? WHERE id = ?", gaveUp(r.recoveries), nowIso(), r.id);
      return { id: r.id, status: r.status, action: "gave_up" as const, snapshot: r.snapshot_of !== null };
    }
    sql.exec("UPDATE datasets SET recoveries = recoveries + 1, lease_until = ? WHERE id = ?", at + DATASET_LEASE_MS, r.id);
    return { id: r.id, status: r.status, action: "resume" as const, snapshot: r.snapshot_of !== null };
  });
}

/** Takes the stalled documents (pending or processing), as `takeStalledDatasets` does; a given-up one keeps its original, for a retry. */
export function takeStalledDocuments(sql: SqlStorage, at: number, limit: number): Taken[] {
  const rows = sql
    .exec<{ id: string; status: string; recoveries: number }>(
      `SELECT id, status, recoveries FROM documents WHERE status IN ('pending', 'processing') AND COALESCE(lease_until, 0) <= ? LIMIT ?`,
      at,
      limit,
    )
    .toArray();
  return rows.map((r) => {
    if (r.recoveries >= MAX_RECOVERIES) {
      const error = JSON.stringify({ code: "abandoned", message: gaveUp(r.recoveries) });
      sql.exec("UPDATE documents SET status = 'failed', error = ?, lease_until = NULL, updated_at = ? WHERE id = ?", error, nowIso(), r.id);
      return { id: r.id, status: r.status, action: "gave_up" as const };
    }
    sql.exec("UPDATE documents SET recoveries = recoveries + 1, lease_until = ? WHERE id = ?", at + DOCUMENT_LEASE_MS, r.id);
    return { id: r.id, status: r.status, action: "resume" as const };
  });
}

/** Renews a document's ingest lease (its consumer made progress). */
export function renewDocumentLease(sql: SqlStorage, documentId: string): void {
  sql.exec("UPDATE documents SET lease_until = ? WHERE id = ? AND status IN ('pending', 'processing')", nowMs() + DOCUMENT_LEASE_MS, documentId);
}

/**
 * A fine-tune job's steps are its object's alarm (durable, retried by the platform); what can be
 * lost is the start itself: the tenant's index claims the job, then its object is started, and a
 * request that dies in between leaves the index saying `created` with no object behind it.
 */
export const JOB_START_GRACE_MS = 10 * 60_000;

/** Jobs the index has said `created` of for longer than the grace: their start may have been lost. */
export function stalledJobStarts(sql: SqlStorage, at: number, limit: number): string[] {
  return sql
    .exec<{ id: string }>("SELECT id FROM jobs WHERE state = 'created' AND updated_at <= ? LIMIT ?", new Date(at - JOB_START_GRACE_MS).toISOString(), limit)
    .toArray()
    .map((r) => r.id);
}

/** Whether anything of this tenant is in flight (then it stays on the sweeper's index). */
export function hasWorkInFlight(sql: SqlStorage): boolean {
  const busy = (q: string) => sql.exec(q).toArray().length > 0;
  return (
    busy("SELECT 1 FROM documents WHERE status IN ('pending', 'processing') LIMIT 1") ||
    busy("SELECT 1 FROM datasets WHERE status IN ('generating', 'labeling', 'writing') LIMIT 1") ||
    busy("SELECT 1 FROM jobs WHERE state = 'created' LIMIT 1") ||
    busy("SELECT 1 FROM deployments WHERE state IN ('requested', 'provisioning', 'stopping') LIMIT 1") ||
    busy("SELECT 1 FROM evals WHERE status IN ('running', 'reporting') LIMIT 1")
  );
}

/** The KV `TENANTS` key that puts a tenant on the sweeper's index. */
export const sweepIndexKey = (tenantId: string) => `inflight:${tenantId}`;

/**
 * Puts this tenant on the sweeper's index (KV `TENANTS`, `inflight:{id}`) when it was not on it:
 * one KV write when a tenant goes from idle to busy, none per piece of work (KV takes one write a
 * second per key). The sweeper takes it off once nothing is in flight.
 */
export async function registerInFlight(sql: SqlStorage, kv: KVNamespace): Promise<void> {
  if (sql.exec("SELECT 1 FROM sweep_index WHERE name = 'inflight'").toArray().length > 0) return;
  const tenantId = sql.exec<{ id: string }>("SELECT id FROM tenant LIMIT 1").toArray()[0]?.id;
  if (!tenantId) return;
  sql.exec("INSERT OR REPLACE INTO sweep_index (name, since) VALUES ('inflight', ?)", nowMs());
  try {
    await kv.put(sweepIndexKey(tenantId), JSON.stringify({ since: nowIso() }));
  } catch (err) {
    // Best effort: the work is written already and must not fail for the index; the next piece of work registers again.
    sql.exec("DELETE FROM sweep_index WHERE name = 'inflight'");
    logLine("error", "sweeper index not written", { error: err instanceof Error ? err.message : String(err) });
  }
}

/** Takes this tenant off the sweeper's index when nothing is in flight; true when it did. */
export async function unregisterIfIdle(sql: SqlStorage, kv: KVNamespace, tenantId: string): Promise<boolean> {
  if (hasWorkInFlight(sql)) return false;
  sql.exec("DELETE FROM sweep_index WHERE name = 'inflight'");
  await kv.delete(sweepIndexKey(tenantId));
  return true;
}
