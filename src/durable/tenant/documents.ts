import { nowIso, nowMs } from "../../lib/clock";
import { DOCUMENT_LEASE_MS } from "./recovery";
/** Documents and their chunks, in the tenant's own SQLite database. */
import { keyOf, keysetPage, type PageQuery } from "../keyset";
import { first, json, jsonOrNull, num, numOrNull, oneOf, rowOf, text, all } from "../sql-rows";

export type DocumentStatus = "pending" | "processing" | "ready" | "failed" | "deleted";
export type MetadataValue = string | number | boolean;

export interface ChunkSettings {
  chunk_size: number;
  chunk_overlap: number;
  encoding: "cl100k_base" | "o200k_base";
}

export interface DocumentRecord {
  id: string;
  title: string;
  format: "text" | "markdown" | "pdf";
  content_type: string;
  content_hash: string;
  bytes: number;
  metadata: Record<string, MetadataValue>;
  settings: ChunkSettings;
  status: DocumentStatus;
  error: { code: string; message: string } | null;
  chunk_count: number | null;
  token_count: number | null;
  page_count: number | null;
  created_at: string;
  updated_at: string;
  /** Where the original lives in R2 (internal: never sent to clients). */
  r2_key: string;
}

export type NewDocument = Omit<
  DocumentRecord,
  "status" | "error" | "chunk_count" | "token_count" | "page_count" | "updated_at"
> & { dedupe_key: string };

export interface ChunkRow {
  id: string;
  idx: number;
  text: string;
  start: number;
  end: number;
  page_from: number | null;
  page_to: number | null;
  tokens: number;
}

export interface RetrievedChunk {
  id: string;
  document_id: string;
  title: string;
  idx: number;
  text: string;
  page_from: number | null;
  page_to: number | null;
}

const documentRow = rowOf<DocumentRecord>()({
  id: text,
  title: text,
  format: oneOf<DocumentRecord["format"]>(),
  content_type: text,
  content_hash: text,
  bytes: num,
  metadata: json<DocumentRecord["metadata"]>(),
  settings: json<ChunkSettings>(),
  status: oneOf<DocumentStatus>(),
  error: jsonOrNull<{ code: string; message: string }>(),
  chunk_count: numOrNull,
  token_count: numOrNull,
  page_count: numOrNull,
  created_at: text,
  updated_at: text,
  r2_key: text,
});

const chunkRow = rowOf<ChunkRow>()({
  id: text,
  idx: num,
  text: text,
  start: num,
  end: num,
  page_from: numOrNull,
  page_to: numOrNull,
  tokens: num,
});

const retrievedRow = rowOf<RetrievedChunk>()({
  id: text,
  document_id: text,
  title: text,
  idx: num,
  text: text,
  page_from: numOrNull,
  page_to: numOrNull,
});

/**
 * Inserts a document unless a live one with the same content and settings exists
 * (then that one is returned and nothing is written). A failed or deleted twin is replaced.
 */
export function createDocument(sql: SqlStorage, doc: NewDocument): { created: boolean; document: DocumentRecord } {
  const twin = findByDedupe(sql, doc.dedupe_key);
  if (twin) return { created: false, document: twin };
  sql.exec(
    `INSERT INTO documents (id, title, format, content_type, content_hash, dedupe_key, r2_key, bytes, metadata, settings,
       status, lease_until, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)`,
    doc.id,
    doc.title,
    doc.format,
    doc.content_type,
    doc.content_hash,
    doc.dedupe_key,
    doc.r2_key,
    doc.bytes,
    JSON.stringify(doc.metadata),
    JSON.stringify(doc.settings),
    nowMs() + DOCUMENT_LEASE_MS,
    doc.created_at,
    doc.created_at,
  );
  return { created: true, document: getDocument(sql, doc.id)! };
}

export function getDocument(sql: SqlStorage, id: string): DocumentRecord | null {
  return first(documentRow, sql, "SELECT * FROM documents WHERE id = ?", id);
}

/** Live documents, newest first, keyset-paged after or before a document id. */
export function listDocuments(sql: SqlStorage, opts: PageQuery & { status?: DocumentStatus }): { data: DocumentRecord[]; has_more: boolean } {
  const page = keysetPage(
    sql,
    {
      select: "SELECT rowid AS _key, * FROM documents",
      where: ["status != 'deleted'", ...(opts.status ? ["status = ?"] : [])],
      args: opts.status ? [opts.status] : [],
      key: "rowid",
      order: "desc",
      // A document deleted since the last page is still a good cursor: its rowid keeps its place.
      cursor: keyOf(sql, "SELECT rowid AS _key FROM documents WHERE id = ?"),
      noun: "document",
    },
    opts,
  );
  return { data: page.rows.map(documentRow), has_more: page.has_more };
}

export interface DocumentPatch {
  status?: DocumentStatus;
  error?: { code: string; message: string } | null;
  chunk_count?: number;
  token_count?: number;
  page_count?: number | null;
}

/** Applies a patch unless the document is deleted (a late consumer must not resurrect it). */
export function updateDocument(sql: SqlStorage, id: string, patch: DocumentPatch): DocumentRecord | null {
  const current = getDocument(sql, id);
  if (!current || current.status === "deleted") return current;
  const next = { ...current, ...patch };
  sql.exec(
    `UPDATE documents SET status = ?, error = ?, chunk_count = ?, token_count = ?, page_count = ?, updated_at = ?
     WHERE id = ?`,
    next.status,
    next.error ? JSON.stringify(next.error) : null,
    next.chunk_count,
    next.token_count,
    next.page_count,
    nowIso(),
    id,
  );
  return getDocument(sql, id);
}

/** Stores chunks idempotently: a chunk id already present is left as it is. */
export function putChunks(sql: SqlStorage, documentId: string, chunks: readonly ChunkRow[]): void {
  for (const c of chunks) {
    sql.exec(
      `INSERT OR IGNORE INTO chunks (id, document_id, idx, text, start_offset, end_offset, page_from, page_to, tokens)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      c.id,
      documentId,
      c.idx,
      c.text,
      c.start,
      c.end,
      c.page_from,
      c.page_to,
      c.tokens,
    );
  }
}

/** Where a document's split has got: the next slice's start, the next chunk's idx, the tokens counted so far (up to `counted_to`). */
export interface SplitProgress {
  next_offset: number;
  next_idx: number;
  tokens: number;
  counted_to: number;
}

export function getSplitProgress(sql: SqlStorage, documentId: string): SplitProgress | null {
  const row = sql
    .exec<{ next_offset: number; next_idx: number; tokens: number; counted_to: number }>(
      "SELECT next_offset, next_idx, tokens, counted_to FROM ingest_progress WHERE document_id = ?",
      documentId,
    )
    .toArray()[0];
  return row ? { next_offset: row.next_offset, next_idx: row.next_idx, tokens: row.tokens, counted_to: row.counted_to } : null;
}

export function putSplitProgress(sql: SqlStorage, documentId: string, p: SplitProgress): void {
  sql.exec(
    `INSERT INTO ingest_progress (document_id, next_offset, next_idx, tokens, counted_to) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (document_id) DO UPDATE SET next_offset = excluded.next_offset, next_idx = excluded.next_idx,
       tokens = excluded.tokens, counted_to = excluded.counted_to`,
    documentId,
    p.next_offset,
    p.next_idx,
    p.tokens,
    p.counted_to,
  );
}

export function dropSplitProgress(sql: SqlStorage, documentId: string): void {
  sql.exec("DELETE FROM ingest_progress WHERE document_id = ?", documentId);
}

/**
 * The next chunks still to embed, in order, after chunk `afterIdx` (-1: from the first): a seek on
 * `chunks_progress`, up to `limit` rows, stopping once `maxChars` of text are read (at least one
 * row), so one call never carries more than that; `work.rowsRead` counts the rows it read.
 */
export function chunksToEmbed(
  sql: SqlStorage,
  documentId: string,
  limit: number,
  work?: { rowsRead: number },
  afterIdx = -1,
  maxChars = Number.POSITIVE_INFINITY,
): ChunkRow[] {
  const cursor = sql.exec<Record<string, SqlStorageValue>>(
    `SELECT id, idx, text, start_offset AS start, end_offset AS end, page_from, page_to, tokens FROM chunks
     INDEXED BY chunks_progress WHERE document_id = ? AND embedded = 0 AND idx > ? ORDER BY idx LIMIT ?`,
    documentId,
    afterIdx,
    limit,
  );
  const rows: ChunkRow[] = [];
  let chars = 0;
  // Read row by row: the cursor stops reading (and the call's answer stops growing) at the budget.
  for (const row of cursor) {
    const chunk = chunkRow(row);
    rows.push(chunk);
    chars += chunk.text.length;
    if (chars >= maxChars) break;
  }
  if (work) work.rowsRead += cursor.rowsRead;
  return rows;
}

/** Bound parameters a Durable Object's SQLite statement takes at most. */
const SQL_PARAMS = 100;

/** Marks chunks embedded: one statement per 100 ids (an embedding batch's ~290 were as many statements). */
export function markEmbedded(sql: SqlStorage, ids: readonly string[]): void {
  for (let i = 0; i < ids.length; i += SQL_PARAMS) {
    const batch = ids.slice(i, i + SQL_PARAMS);
    sql.exec(`UPDATE chunks SET embedded = 1 WHERE id IN (${batch.map(() => "?").join(", ")})`, ...batch);
  }
}

export function chunkIds(sql: SqlStorage, documentId: string): string[] {
  return sql
    .exec<{ id: string }>("SELECT id FROM chunks WHERE document_id = ? ORDER BY idx", documentId)
    .toArray()
    .map((r) => r.id);
}

export function chunkStats(sql: SqlStorage, documentId: string): { chunks: number; tokens: number; embedded: number } {
  return sql
    .exec<{ chunks: number; tokens: number; embedded: number }>(
      `SELECT COUNT(*) AS chunks, COALESCE(SUM(tokens), 0) AS tokens, COALESCE(SUM(embedded), 0) AS embedded
       FROM chunks INDEXED BY chunks_progress WHERE document_id = ?`,
      documentId,
    )
    .one();
}

/** Chunks by id with their document's title, for retrieval answers (live documents only). */
export function getChunks(sql: SqlStorage, ids: readonly string[]): RetrievedChunk[] {
  const out: RetrievedChunk[] = [];
  for (const id of ids) {
    const chunk = first(
      retrievedRow,
      sql,
      `SELECT c.id, c.document_id, d.title, c.idx, c.text, c.page_from, c.page_to FROM chunks c
       JOIN documents d ON d.id = c.document_id WHERE c.id = ? AND d.status = 'ready'`,
      id,
    );
    if (chunk) out.push(chunk);
  }
  return out;
}

/** Marks a document deleted and drops its chunks; the tombstone keeps deletes repeat-safe. */
export function markDeleted(sql: SqlStorage, id: string): void {
  sql.exec("DELETE FROM chunks WHERE document_id = ?", id);
  dropSplitProgress(sql, id);
  sql.exec("UPDATE documents SET status = 'deleted', updated_at = ? WHERE id = ?", nowIso(), id);
}

/** A live document with this content, settings and metadata, if one exists. */
export function findByDedupe(sql: SqlStorage, dedupeKey: string): DocumentRecord | null {
  return first(
    documentRow,
    sql,
    "SELECT * FROM documents WHERE dedupe_key = ? AND status NOT IN ('failed', 'deleted') ORDER BY created_at LIMIT 1",
    dedupeKey,
  );
}

/** Removes a document entirely (rollback of a create that could not be queued). */
export function removeDocument(sql: SqlStorage, id: string): void {
  sql.exec("DELETE FROM chunks WHERE document_id = ?", id);
  dropSplitProgress(sql, id);
  sql.exec("DELETE FROM documents WHERE id = ?", id);
}
