import { nowIso, nowMs } from "../../lib/clock";
/**
 * Where a dataset stands: progress and spend summed from its tasks and rows, the
 * status transitions as its work drains, cancel, and what is still pending.
 */
import { usdOf } from "../../lib/money";
import { getDataset } from "./datasets";
import { markNearDuplicates, NEAR_DUPLICATE_THRESHOLD } from "./near-duplicates";
import { DATASET_LEASE_MS } from "./recovery";

export interface GenerationProgress {
  tasks: { pending: number; done: number; failed: number };
  questions: number;
  cost_usd: number;
  prompt_tokens: number;
  completion_tokens: number;
}

/** Task counts and teacher spend (generation + labeling), summed from rows, never kept apart. */
export function progress(sql: SqlStorage, datasetId: string, through: number | null = null): GenerationProgress {
  const tasks = { pending: 0, done: 0, failed: 0 };
  let cost = 0;
  let prompt = 0;
  let completion = 0;
  for (const r of sql.exec<{ status: keyof typeof tasks; n: number; c: number; p: number; o: number }>(
    `SELECT status, COUNT(*) AS n, SUM(cost_micros) AS c, SUM(prompt_tokens) AS p, SUM(completion_tokens) AS o
     FROM gen_tasks WHERE dataset_id = ? GROUP BY status`,
    datasetId,
  )) {
    tasks[r.status] = r.n;
    cost += r.c;
    prompt += r.p;
    completion += r.o;
  }
  const rows = sql
    .exec<{ n: number; c: number; p: number; o: number }>(
      `SELECT COUNT(*) AS n, COALESCE(SUM(cost_micros), 0) AS c,
         COALESCE(SUM(json_extract(usage, '$.prompt_tokens')), 0) AS p, COALESCE(SUM(json_extract(usage, '$.completion_tokens')), 0) AS o
       FROM dataset_rows WHERE dataset_id = ? AND (? IS NULL OR rowid <= ?)`,
      datasetId,
      through,
      through,
    )
    .one();
  return {
    tasks,
    questions: rows.n,
    // Summed in integer micro-dollars: exact, shown as dollars to 6 decimals.
    cost_usd: usdOf(cost + rows.c),
    prompt_tokens: prompt + rows.p,
    completion_tokens: completion + rows.o,
  };
}

/**
 * Moves a dataset along as its work drains: generating while any chunk task is
 * pending, labeling while any row is pending; true (once) when it is time to write
 * the files, claimed with status `writing` so only one caller does it. Every call renews
 * the dataset's lease: work on it is alive (the sweeper looks only past lapsed leases).
 */
export function advance(sql: SqlStorage, datasetId: string): { status: string; finalize: boolean } {
  const d = getDataset(sql, datasetId);
  if (!d || !["generating", "labeling"].includes(d.status)) return { status: d?.status ?? "missing", finalize: false };
  const tasksPending = sql.exec("SELECT 1 FROM gen_tasks WHERE dataset_id = ? AND status = 'pending' LIMIT 1", datasetId).toArray().length > 0;
  const rowsPending = sql.exec("SELECT 1 FROM dataset_rows WHERE dataset_id = ? AND status = 'pending' LIMIT 1", datasetId).toArray().length > 0;
  const next = tasksPending ? "generating" : rowsPending ? "labeling" : "writing";
  // Near-duplicates can only be judged once every answer is in, just before the files are written.
  if (next === "writing") markNearDuplicates(sql, datasetId, NEAR_DUPLICATE_THRESHOLD);
  if (next !== d.status) sql.exec("UPDATE datasets SET status = ?, updated_at = ? WHERE id = ?", next, nowIso(), datasetId);
  renewLease(sql, datasetId);
  return { status: next, finalize: next === "writing" };
}

/** Renews an in-flight dataset's lease (a step of it was seen, or its files are being written). */
export function renewLease(sql: SqlStorage, datasetId: string, ms = DATASET_LEASE_MS): void {
  sql.exec(
    "UPDATE datasets SET lease_until = ? WHERE id = ? AND status IN ('generating', 'labeling', 'writing')",
    nowMs() + ms,
    datasetId,
  );
}

/** Sets status (and error) unless the dataset is already in a final state other than `writing`. */
export function setDatasetStatus(sql: SqlStorage, datasetId: string, status: string, error: string | null, files?: string): void {
  sql.exec(
    `UPDATE datasets SET status = ?, error = COALESCE(?, error), files = COALESCE(?, files), updated_at = ?
     WHERE id = ? AND status NOT IN ('ready', 'cancelled', 'failed')`,
    status,
    error,
    files ?? null,
    nowIso(),
    datasetId,
  );
}

/** Cancels a dataset: pending tasks and rows fail with reason `cancelled`. Repeat-safe. */
export function cancelDataset(sql: SqlStorage, datasetId: string): void {
  const now = nowIso();
  sql.exec("UPDATE gen_tasks SET status = 'failed', error = 'cancelled' WHERE dataset_id = ? AND status = 'pending'", datasetId);
  sql.exec(
    "UPDATE dataset_rows SET status = 'failed', reason = 'cancelled', updated_at = ? WHERE dataset_id = ? AND status = 'pending'",
    now,
    datasetId,
  );
  sql.exec(
    "UPDATE datasets SET status = 'cancelled', updated_at = ? WHERE id = ? AND status IN ('open', 'generating', 'labeling', 'writing')",
    now,
    datasetId,
  );
}

/** What is still to do for a dataset: chunks awaiting questions, questions awaiting labels. */
export function pendingWork(sql: SqlStorage, datasetId: string, limit: number): { chunks: string[]; questions: string[] } {
  const chunks = sql
    .exec<{ id: string }>("SELECT chunk_id AS id FROM gen_tasks WHERE dataset_id = ? AND status = 'pending' LIMIT ?", datasetId, limit)
    .toArray()
    .map((r) => r.id);
  const questions = sql
    .exec<{ id: string }>("SELECT id FROM dataset_rows WHERE dataset_id = ? AND status = 'pending' ORDER BY rowid LIMIT ?", datasetId, limit)
    .toArray()
    .map((r) => r.id);
  return { chunks, questions };
}

/**
 * Deletes a dataset with its rows and tasks, and a source's snapshots with it (they are its rows);
 * a snapshot alone deletes only its record. Returns the R2 keys of the files to delete.
 */
export function deleteDataset(sql: SqlStorage, datasetId: string): string[] {
  const d = getDataset(sql, datasetId);
  if (!d) return [];
  const keysOf = (files: string | null) => (files ? Object.values(JSON.parse(files) as Record<string, { key: string }>).map((f) => f.key) : []);
  const files = keysOf(d.files);
  if (!d.snapshot_of) {
    for (const s of sql.exec<{ files: string | null }>("SELECT files FROM datasets WHERE snapshot_of = ?", d.id)) files.push(...keysOf(s.files));
    sql.exec("DELETE FROM datasets WHERE snapshot_of = ?", d.id);
    sql.exec("DELETE FROM dataset_rows WHERE dataset_id = ?", datasetId);
    sql.exec("DELETE FROM gen_tasks WHERE dataset_id = ?", datasetId);
  }
  sql.exec("DELETE FROM datasets WHERE id = ?", d.id);
  return files;
}
