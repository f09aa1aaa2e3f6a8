import { nowIso, nowMs } from "../../lib/clock";
import type { Split } from "./datasets";

/** An imported row as staged: what an import row holds beyond its fixed source and status. */
export interface StagedRow {
  id: string;
  split: Split;
  example: string;
  tokens: number | null;
}

/** Staged rows older than this belong to an import whose request died: swept by the next import. */
const ORPHAN_AFTER_MS = 60 * 60 * 1000;

/** Stages a page of rows at `firstSeq` onwards (repeat-safe: a page sent again replaces itself). */
export function stageRows(sql: SqlStorage, importId: string, datasetId: string, firstSeq: number, rows: readonly StagedRow[]): void {
  const at = nowMs();
  for (const [i, row] of rows.entries()) {
    sql.exec(
      `INSERT OR REPLACE INTO import_staging (import_id, seq, dataset_id, id, split, example, tokens, staged_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      importId,
      firstSeq + i,
      datasetId,
      row.id,
      row.split,
      row.example,
      row.tokens,
      at,
    );
  }
}

/**
 * Moves an import's staged rows into the dataset in one statement (one transaction: all or
 * nothing), in the order staged; a row whose id is there already is a duplicate. Answers how many
 * were added.
 */
export function commitStaged(sql: SqlStorage, importId: string, datasetId: string): number {
  const at = nowIso();
  sql.exec(
    `INSERT OR IGNORE INTO dataset_rows (id, dataset_id, source, status, reason, split, question, example, tokens, program,
       program_version, model, usage, chunk_ids, created_at, updated_at)
     SELECT id, ?, 'import', 'labeled', NULL, split, NULL, example, tokens, NULL, NULL, NULL, NULL, NULL, ?, ?
     FROM import_staging WHERE import_id = ? AND dataset_id = ? ORDER BY seq`,
    datasetId,
    at,
    at,
    importId,
    datasetId,
  );
  // Rows inserted by that statement (`rowsWritten` would count index entries too).
  const added = sql.exec<{ n: number }>("SELECT changes() AS n").one().n;
  discardStaged(sql, importId);
  return added;
}

export function discardStaged(sql: SqlStorage, importId: string): void {
  sql.exec("DELETE FROM import_staging WHERE import_id = ?", importId);
}

/** Drops the staged rows of imports that died mid-way (never committed, never discarded). */
export function sweepStaged(sql: SqlStorage): void {
  sql.exec("DELETE FROM import_staging WHERE staged_at < ?", nowMs() - ORPHAN_AFTER_MS);
}

/** Rows staged and not yet committed, for one import or all. */
export function stagedCount(sql: SqlStorage, importId?: string): number {
  return sql
    .exec<{ n: number }>("SELECT COUNT(*) AS n FROM import_staging WHERE (? IS NULL OR import_id = ?)", importId ?? null, importId ?? null)
    .one().n;
}
