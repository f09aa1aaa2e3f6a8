import { nowIso, nowMs } from "../../lib/clock";
import { newId } from "../../lib/ids";
import { ApiError } from "../../errors";
import { getDataset, latestSnapshot, type DatasetRecord } from "./datasets";
import { DATASET_LEASE_MS } from "./recovery";

/**
 * Snapshots: what freezing a dataset makes. A snapshot is a dataset record of its own (`snap_…`,
 * named `{source}@v{n}`) holding its source's rows up to a rowid, so its files, counts and
 * validation report are of the same rows for ever, while the source stays open for more captures
 * and imports. Its files are written once (status writing → ready, or failed), under a lease, so a
 * writer that died never blocks the next freeze or the sweeper from writing them.
 */

/** Source statuses a snapshot may be taken in: open and ready sources, and a generated one whose work just drained (`writing`). */
const SNAPSHOT_FROM = ["open", "ready", "writing"];

/** Why a dataset takes no more rows, and what to do instead; null when it takes them. */
export function closedReason(d: DatasetRecord): string | null {
  if (d.snapshot_of) return `${d.name} is a snapshot, which never changes: add rows to its source dataset ${d.snapshot_of}, then freeze it for a new snapshot.`;
  if (d.status === "cancelled" || d.status === "failed") return `Dataset ${d.name} is ${d.status}: create a new dataset for these rows.`;
  return null;
}

/** Throws the 409 naming the way forward when the dataset takes no more rows. */
export function assertOpenForRows(d: DatasetRecord): void {
  const reason = closedReason(d);
  if (reason) throw new ApiError("conflict", reason, { details: { dataset: d.id, status: d.status, snapshot_of: d.snapshot_of, closed: true } });
}

/**
 * Takes a snapshot of a source's rows as they are now, or answers the latest one when it already
 * holds exactly these rows. `claimed`: this caller must write its files (a new snapshot, a failed
 * one retried, or one whose writer's lease lapsed).
 */
export function takeSnapshot(sql: SqlStorage, source: DatasetRecord): { snapshot: DatasetRecord; claimed: boolean } {
  if (source.snapshot_of) return writeClaim(sql, source);
  if (!SNAPSHOT_FROM.includes(source.status)) {
    throw new ApiError("conflict", `Dataset ${source.name} is ${source.status}; only an open or ready dataset can be frozen.`, {
      details: { status: source.status },
    });
  }
  const through = sql.exec<{ r: number | null }>("SELECT MAX(rowid) AS r FROM dataset_rows WHERE dataset_id = ?", source.id).one().r ?? 0;
  const latest = latestSnapshot(sql, source.id);
  if (latest && latest.through_rowid === through) {
    const taken = writeClaim(sql, latest);
    // Its snapshot was written already (the source failed or was retried meanwhile): the source is done too.
    if (taken.snapshot.status === "ready" && source.status === "writing") {
      sql.exec("UPDATE datasets SET status = 'ready', lease_until = NULL, updated_at = ? WHERE id = ? AND status = 'writing'", nowIso(), source.id);
    }
    return taken;
  }
  const version = (latest?.version ?? 0) + 1;
  const id = newId("snap");
  const now = nowIso();
  sql.exec(
    `INSERT INTO datasets (id, name, status, eval_fraction, config, snapshot_of, version, through_rowid, lease_until, created_at, updated_at)
     VALUES (?, ?, 'writing', ?, ?, ?, ?, ?, ?, ?, ?)`,
    id,
    `${source.name}@v${version}`,
    source.eval_fraction,
    JSON.stringify(source.config),
    source.id,
    version,
    through,
    nowMs() + DATASET_LEASE_MS,
    now,
    now,
  );
  return { snapshot: getDataset(sql, id)!, claimed: true };
}

/** A snapshot's write claim: taken when it failed or its writer's lease lapsed; never while a live writer holds it. */
function writeClaim(sql: SqlStorage, snapshot: DatasetRecord): { snapshot: DatasetRecord; claimed: boolean } {
  const res = sql.exec(
    `UPDATE datasets SET status = 'writing', error = NULL, lease_until = ?, updated_at = ?
     WHERE id = ? AND (status = 'failed' OR (status = 'writing' AND COALESCE(lease_until, 0) <= ?))`,
    nowMs() + DATASET_LEASE_MS,
    nowIso(),
    snapshot.id,
    nowMs(),
  );
  return { snapshot: getDataset(sql, snapshot.id)!, claimed: res.rowsWritten > 0 };
}

/** Records a snapshot's written files: it is ready, and so is a generated source that was writing it. */
export function snapshotWritten(sql: SqlStorage, snapshotId: string, files: string): DatasetRecord {
  const now = nowIso();
  sql.exec("UPDATE datasets SET status = 'ready', files = ?, lease_until = NULL, updated_at = ? WHERE id = ? AND status = 'writing'", files, now, snapshotId);
  const snapshot = getDataset(sql, snapshotId)!;
  // The source keeps its error: a spending cap reached says why its work stopped.
  sql.exec("UPDATE datasets SET status = 'ready', lease_until = NULL, updated_at = ? WHERE id = ? AND status = 'writing'", now, snapshot.snapshot_of);
  return snapshot;
}

/** A snapshot whose files could not be written: failed with why (a freeze or retry claims it again); a generated source writing it too. */
export function snapshotFailed(sql: SqlStorage, snapshotId: string, error: string): void {
  const now = nowIso();
  const snapshot = getDataset(sql, snapshotId);
  sql.exec("UPDATE datasets SET status = 'failed', error = ?, lease_until = NULL, updated_at = ? WHERE id = ? AND status = 'writing'", error, now, snapshotId);
  if (snapshot?.snapshot_of) {
    sql.exec("UPDATE datasets SET status = 'failed', error = ?, lease_until = NULL, updated_at = ? WHERE id = ? AND status = 'writing'", error, now, snapshot.snapshot_of);
  }
}
