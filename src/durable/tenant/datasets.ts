import { nowIso } from "../../lib/clock";
import { keyOf, keysetPage, type PageQuery } from "../keyset";
import { all, first, json, jsonOrNull, num, numOrNull, oneOf, rowOf, text, textOrNull } from "../sql-rows";

/** Dataset settings are flat (program, top_k, …), which keeps them cheap to pass over RPC. */
export type DatasetConfig = Record<string, string | number | boolean | null>;

/**
 * Datasets and their rows, in the tenant's database. A row is one fine-tuning
 * example (or a question on its way to becoming one); every count is a count of
 * rows by status, never a separately kept counter.
 */

export type DatasetStatus = "open" | "generating" | "labeling" | "writing" | "ready" | "failed" | "cancelled";
export type RowStatus = "pending" | "labeled" | "rejected" | "failed";
export type Split = "train" | "eval";

export interface DatasetRecord {
  id: string;
  name: string;
  status: DatasetStatus;
  eval_fraction: number;
  config: DatasetConfig;
  error: string | null;
  /** JSON text describing the written JSONL files (keys, bytes, lines, sha256), once written. */
  files: string | null;
  created_at: string;
  updated_at: string;
  /** A snapshot's source dataset (null for a source). */
  snapshot_of: string | null;
  /** A snapshot's version among its source's snapshots, from 1. */
  version: number | null;
  /** A snapshot holds its source's rows up to this rowid. */
  through_rowid: number | null;
  /** While generating, labeling or writing: when the work's lease lapses unless renewed (ms). */
  lease_until: number | null;
}

/** Where a dataset's rows live: a source's own rows, or a snapshot's source rows up to a rowid. */
export interface RowsOf {
  id: string;
  through: number | null;
}

/** The rows a dataset (source or snapshot) is made of. */
export function rowsOf(d: DatasetRecord): RowsOf {
  return d.snapshot_of ? { id: d.snapshot_of, through: d.through_rowid ?? 0 } : { id: d.id, through: null };
}

export interface NewRow {
  id: string;
  source: "capture" | "generated" | "import";
  status: RowStatus;
  reason: string | null;
  split: Split;
  question: string | null;
  /** The fine-tuning example as JSON text (kept as text across RPC: cheap, and exactly what goes in the JSONL). */
  example: string | null;
  tokens: number | null;
  program: string | null;
  program_version: number | null;
  model: string | null;
  /** JSON text of the calls' usage. */
  usage: string | null;
  chunk_ids: string[] | null;
}

export interface RowRecord extends NewRow {
  dataset_id: string;
  created_at: string;
  updated_at: string;
}

export interface DatasetCounts {
  rows: number;
  by_status: Record<RowStatus, number>;
  by_split: Record<Split, number>;
  labeled_by_split: Record<Split, number>;
  rejected_by_reason: Record<string, number>;
  tokens: number;
}

const datasetRow = rowOf<DatasetRecord>()({
  id: text,
  name: text,
  status: oneOf<DatasetStatus>(),
  eval_fraction: num,
  config: json<DatasetConfig>(),
  error: textOrNull,
  files: textOrNull,
  created_at: text,
  updated_at: text,
  snapshot_of: textOrNull,
  version: numOrNull,
  through_rowid: numOrNull,
  lease_until: numOrNull,
});

const rowRow = rowOf<RowRecord>()({
  id: text,
  dataset_id: text,
  source: oneOf<NewRow["source"]>(),
  status: oneOf<RowStatus>(),
  reason: textOrNull,
  split: oneOf<Split>(),
  question: textOrNull,
  example: textOrNull,
  tokens: numOrNull,
  program: textOrNull,
  program_version: numOrNull,
  model: textOrNull,
  usage: textOrNull,
  chunk_ids: jsonOrNull<string[]>(),
  created_at: text,
  updated_at: text,
});

/** Creates a dataset; null when the name is taken. */
export function createDataset(
  sql: SqlStorage,
  d: { id: string; name: string; status: DatasetStatus; eval_fraction: number; config: DatasetConfig; lease_until?: number | null },
): DatasetRecord | null {
  if (sql.exec("SELECT 1 FROM datasets WHERE name = ?", d.name).toArray().length > 0) return null;
  const now = nowIso();
  sql.exec(
    "INSERT INTO datasets (id, name, status, eval_fraction, config, lease_until, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    d.id,
    d.name,
    d.status,
    d.eval_fraction,
    JSON.stringify(d.config),
    d.lease_until ?? null,
    now,
    now,
  );
  return getDataset(sql, d.id);
}

/** A dataset by id or by name. */
export function getDataset(sql: SqlStorage, idOrName: string): DatasetRecord | null {
  return first(datasetRow, sql, "SELECT * FROM datasets WHERE id = ? OR name = ? LIMIT 1", idOrName, idOrName);
}

/** Source datasets (snapshots are listed by their source). */
/** Source datasets (not snapshots), newest first, keyset-paged after or before a dataset id. */
export function listDatasets(sql: SqlStorage, q: PageQuery): { data: DatasetRecord[]; has_more: boolean } {
  const page = keysetPage(
    sql,
    {
      select: "SELECT rowid AS _key, * FROM datasets",
      where: ["snapshot_of IS NULL"],
      args: [],
      key: "rowid",
      order: "desc",
      cursor: keyOf(sql, "SELECT rowid AS _key FROM datasets WHERE id = ? AND snapshot_of IS NULL"),
      noun: "dataset",
    },
    q,
  );
  return { data: page.rows.map(datasetRow), has_more: page.has_more };
}

/** A source's snapshots, newest first (by version), keyset-paged after or before a snapshot id. */
export function listSnapshots(sql: SqlStorage, sourceId: string, q: PageQuery): { data: DatasetRecord[]; has_more: boolean } {
  const page = keysetPage(
    sql,
    {
      select: "SELECT version AS _key, * FROM datasets",
      where: ["snapshot_of = ?"],
      args: [sourceId],
      key: "version",
      order: "desc",
      cursor: keyOf(sql, "SELECT version AS _key FROM datasets WHERE id = ? AND snapshot_of = ?", sourceId),
      noun: "snapshot",
    },
    q,
  );
  return { data: page.rows.map(datasetRow), has_more: page.has_more };
}

/** A source's latest snapshot (any status), or null. */
export function latestSnapshot(sql: SqlStorage, sourceId: string, status?: DatasetStatus): DatasetRecord | null {
  return first(
    datasetRow,
    sql,
    "SELECT * FROM datasets WHERE snapshot_of = ? AND (? IS NULL OR status = ?) ORDER BY version DESC LIMIT 1",
    sourceId,
    status ?? null,
    status ?? null,
  );
}

/** Adds a row unless one with its id exists (a retry or redelivery adds nothing). */
export function addRow(sql: SqlStorage, datasetId: string, row: NewRow): boolean {
  const now = nowIso();
  const res = sql.exec(
    `INSERT OR IGNORE INTO dataset_rows (id, dataset_id, source, status, reason, split, question, example, tokens, program,
       program_version, model, usage, chunk_ids, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    row.id,
    datasetId,
    row.source,
    row.status,
    row.reason,
    row.split,
    row.question,
    row.example,
    row.tokens,
    row.program,
    row.program_version,
    row.model,
    row.usage,
    row.chunk_ids ? JSON.stringify(row.chunk_ids) : null,
    now,
    now,
  );
  return res.rowsWritten > 0;
}

/** A row by id, in any dataset; null when none. */
export function getRow(sql: SqlStorage, id: string): RowRecord | null {
  return first(rowRow, sql, "SELECT * FROM dataset_rows WHERE id = ?", id);
}

/** What labeling a pending captured row sets (src/serving/capture-label.ts). */
export type RowLabel = Pick<NewRow, "status" | "reason" | "example" | "tokens" | "model" | "usage">;

/** Labels a row still pending; false when it is not (a redelivery changes nothing). */
export function labelPendingRow(sql: SqlStorage, id: string, label: RowLabel): boolean {
  const res = sql.exec(
    "UPDATE dataset_rows SET status = ?, reason = ?, example = ?, tokens = ?, model = ?, usage = ?, updated_at = ? WHERE id = ? AND status = 'pending'",
    label.status, label.reason, label.example, label.tokens, label.model, label.usage, nowIso(), id,
  );
  return res.rowsWritten > 0;
}

/** Counts of a dataset's rows by status, split and rejection reason. */
export function countRows(sql: SqlStorage, datasetId: string, through: number | null = null): DatasetCounts {
  const counts: DatasetCounts = {
    rows: 0,
    by_status: { pending: 0, labeled: 0, rejected: 0, failed: 0 },
    by_split: { train: 0, eval: 0 },
    labeled_by_split: { train: 0, eval: 0 },
    rejected_by_reason: {},
    tokens: 0,
  };
  const rows = sql.exec<{ status: RowStatus; split: Split; reason: string | null; n: number; tokens: number }>(
    `SELECT status, split, reason, COUNT(*) AS n, COALESCE(SUM(tokens), 0) AS tokens FROM dataset_rows
     WHERE dataset_id = ? AND (? IS NULL OR rowid <= ?) GROUP BY status, split, reason`,
    datasetId,
    through,
    through,
  );
  for (const r of rows) {
    counts.rows += r.n;
    counts.by_status[r.status] += r.n;
    counts.by_split[r.split] += r.n;
    if (r.status === "labeled") {
      counts.labeled_by_split[r.split] += r.n;
      counts.tokens += r.tokens;
    }
    if (r.status === "rejected") {
      const reason = r.reason ?? "unspecified";
      counts.rejected_by_reason[reason] = (counts.rejected_by_reason[reason] ?? 0) + r.n;
    }
  }
  return counts;
}

/** A page of rows in insertion order, optionally by split and status, keyset-paged after or before a row id. */
export function listRows(
  sql: SqlStorage,
  datasetId: string,
  opts: PageQuery & { split?: Split; status?: RowStatus; through?: number | null },
): { data: RowRecord[]; has_more: boolean; rows_read: number } {
  // Keyset paging in rowid order: `dataset_rows_in_order` (dataset_id, then the implicit rowid) lets
  // SQLite seek to the cursor and stop after the page, instead of sorting the whole dataset per page.
  const where = ["dataset_id = ?"];
  const args: SqlStorageValue[] = [datasetId];
  if (opts.through != null) where.push("rowid <= ?"), args.push(opts.through);
  if (opts.split) where.push("split = ?"), args.push(opts.split);
  if (opts.status) where.push("status = ?"), args.push(opts.status);
  const page = keysetPage(
    sql,
    {
      select: "SELECT rowid AS _key, * FROM dataset_rows INDEXED BY dataset_rows_in_order",
      where,
      args,
      key: "rowid",
      order: "asc",
      cursor: keyOf(sql, "SELECT rowid AS _key FROM dataset_rows WHERE id = ? AND dataset_id = ? AND (? IS NULL OR rowid <= ?)", datasetId, opts.through ?? null, opts.through ?? null),
      noun: "row",
    },
    opts,
  );
  return { data: page.rows.map(rowRow), has_more: page.has_more, rows_read: page.rows_read };
}
