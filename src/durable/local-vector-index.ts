import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../env";
import { ApiError } from "../errors";
import { ExactIndex } from "../vector/exact-index";
import { LOCAL_MAX_VECTOR_BYTES } from "../vector/limits";
import type { QueryOptions, VectorMatch, VectorRecord, VectorValues } from "../vector/types";
import {
  chunked,
  pickIndexed,
  validateDocumentId,
  validateIds,
  validateQuery,
  validateRecords,
} from "../vector/validate";
import { throwsAcrossRpc } from "./rpc-errors";
import { migrate } from "./sql-migrations";

/** The local index's table. Append new steps; never edit old ones. */
const MIGRATIONS = [
  // embedding: Float32 little-endian, 4 bytes a dimension (≤ 6 KiB); metadata: JSON ≤ 10 KiB.
  // Both far below SQLite's 2 MB per row in Durable Objects.
  `CREATE TABLE vectors (
     id TEXT PRIMARY KEY,
     document_id TEXT NOT NULL,
     embedding BLOB NOT NULL,
     metadata TEXT NOT NULL
   )`,
  "CREATE INDEX vectors_by_document ON vectors (document_id)",
] as const;

/** Durable Object SQLite allows ≤ 100 bound parameters per statement. */
const SQL_PARAMS = 100;
const UPSERT_COLUMNS = 4;

/**
 * The exact local vector index (dev, demo, tests), where Vectorize has no local
 * simulation: one object per tenant, addressed by the tenant id. SQLite is the
 * truth; an ExactIndex in memory mirrors it (loaded in blockConcurrencyWhile,
 * updated after each committed write) so queries never re-read storage. Every
 * method runs without awaiting, so a call sees and leaves both in step.
 */
export class LocalVectorIndex extends DurableObject<Bindings> {
  private readonly sql: SqlStorage;
  private readonly index = new ExactIndex();

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => {
      migrate(this.sql, MIGRATIONS);
      const rows = this.sql.exec<{ id: string; embedding: ArrayBuffer; metadata: string }>(
        "SELECT id, embedding, metadata FROM vectors",
      );
      for (const row of rows) {
        this.index.set(row.id, new Float32Array(row.embedding), pickIndexed(JSON.parse(row.metadata)));
      }
    });
  }

  /** Inserts or replaces vectors by id; returns how many were written. */
  async upsert(records: VectorRecord[]): Promise<number> {
    const valid = validateRecords(records);
    if (valid.length === 0) return 0;
    const dims = valid[0]!.values.length;
    this.index.checkDimensions(dims, "records[0].values");
    const added = valid.filter((r) => !this.index.has(r.id)).length;
    if ((this.index.size + added) * dims * 4 > LOCAL_MAX_VECTOR_BYTES) {
      throw new ApiError(
        "unprocessable",
        `The local vector index holds at most ${LOCAL_MAX_VECTOR_BYTES / 2 ** 20} MiB of vectors per tenant; use VECTOR_BACKEND="vectorize" for more.`,
        { details: { vectors: this.index.size, adding: added, dimensions: dims } },
      );
    }
    this.ctx.storage.transactionSync(() => {
      for (const rows of chunked(valid, Math.floor(SQL_PARAMS / UPSERT_COLUMNS))) {
        this.sql.exec(
          `INSERT INTO vectors (id, document_id, embedding, metadata) VALUES ${rows.map(() => "(?, ?, ?, ?)").join(", ")}
           ON CONFLICT (id) DO UPDATE SET document_id = excluded.document_id,
             embedding = excluded.embedding, metadata = excluded.metadata`,
          ...rows.flatMap((r) => [r.id, r.metadata.document_id, r.values.buffer, JSON.stringify(r.metadata)]),
        );
      }
    });
    for (const r of valid) this.index.set(r.id, r.values, pickIndexed(r.metadata));
    return valid.length;
  }

  /** Exact cosine top-K over all of the tenant's vectors, filter applied, ties by id. */
  async query(values: VectorValues, options: QueryOptions): Promise<VectorMatch[]> {
    const q = validateQuery(values, options);
    return this.index.query(q.values, q.topK, q.filter);
  }

  /** Deletes vectors by id; returns how many existed. */
  async deleteByIds(ids: string[]): Promise<number> {
    return this.remove(validateIds(ids));
  }

  /** Deletes every vector tagged with the document, plus `ids`; returns how many existed. */
  async deleteByDocument(documentId: string, ids: string[] = []): Promise<number> {
    const doc = validateDocumentId(documentId);
    const extra = validateIds(ids);
    // SQL deletes the document's rows by its index; memory needs every id.
    const stray = extra.filter((id) => this.index.has(id));
    this.ctx.storage.transactionSync(() => {
      this.sql.exec("DELETE FROM vectors WHERE document_id = ?", doc);
      this.deleteRows(stray);
    });
    return this.forget([...new Set([...this.index.idsOfDocument(doc), ...stray])]);
  }

  /** Number of vectors held. */
  async count(): Promise<number> {
    return this.index.size;
  }

  /** The dimension count, or null while the index is empty. */
  async dimensions(): Promise<number | null> {
    return this.index.dimensions ?? null;
  }

  private remove(ids: string[]): number {
    const known = ids.filter((id) => this.index.has(id));
    this.ctx.storage.transactionSync(() => this.deleteRows(known));
    return this.forget(known);
  }

  private deleteRows(ids: string[]): void {
    for (const batch of chunked(ids, SQL_PARAMS)) {
      this.sql.exec(`DELETE FROM vectors WHERE id IN (${batch.map(() => "?").join(", ")})`, ...batch);
    }
  }

  private forget(ids: string[]): number {
    let removed = 0;
    for (const id of ids) if (this.index.delete(id)) removed++;
    return removed;
  }
}
throwsAcrossRpc(LocalVectorIndex);
