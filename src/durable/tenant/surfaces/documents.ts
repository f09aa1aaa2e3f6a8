import { ApiError } from "../../../errors";
import {
  chunkIds,
  chunkStats,
  createDocument,
  findByDedupe,
  getChunks,
  getDocument,
  listDocuments,
  markDeleted,
  removeDocument,
  type DocumentRecord,
  type DocumentStatus,
  type NewDocument,
  type RetrievedChunk,
} from "../documents";
import { nowIso, nowMs } from "../../../lib/clock";
import { DOCUMENT_IN_FLIGHT, DOCUMENT_LEASE_MS, isStalled, registerInFlight } from "../recovery";
import type { PageQuery } from "../../keyset";
import { Surface, surface } from "./surface";

function notFound(id: string): never {
  throw new ApiError("not_found", `No document ${id}.`);
}

/** Documents as the API shows them: upload, read, list, delete; and chunk text for retrieval. */
export class DocumentsSurface extends Surface {
  /** A live document with this content, settings and metadata, if one exists. */
  twin(dedupeKey: string): DocumentRecord | null {
    return findByDedupe(this.sql, dedupeKey);
  }

  /** Inserts a document unless a live twin exists (then that one, unchanged); a new one puts the tenant on the sweeper's index. */
  async create(doc: NewDocument): Promise<{ created: boolean; document: DocumentRecord }> {
    const made = createDocument(this.sql, doc);
    if (made.created) await registerInFlight(this.sql, this.env.TENANTS);
    return made;
  }

  /**
   * Retries a failed document: pending again, with a fresh lease and no recoveries counted; the
   * caller queues it. Conflict unless it is failed.
   */
  async retry(id: string): Promise<DocumentRecord> {
    const document = getDocument(this.sql, id);
    if (!document || document.status === "deleted") notFound(id);
    if (document.status !== "failed") {
      throw new ApiError("conflict", `Document ${id} is ${document.status}; only a failed document can be retried.`, { details: { status: document.status } });
    }
    this.sql.exec(
      "UPDATE documents SET status = 'pending', error = NULL, recoveries = 0, lease_until = ?, updated_at = ? WHERE id = ? AND status = 'failed'",
      nowMs() + DOCUMENT_LEASE_MS,
      nowIso(),
      id,
    );
    // Its vectors were dropped when it failed: every stored chunk is embedded again.
    this.sql.exec("UPDATE chunks SET embedded = 0 WHERE document_id = ?", id);
    await registerInFlight(this.sql, this.env.TENANTS);
    return getDocument(this.sql, id)!;
  }

  /** Puts back a failed document's state when its retry could not be queued. */
  unretry(id: string, error: { code: string; message: string }): void {
    this.sql.exec("UPDATE documents SET status = 'failed', error = ?, lease_until = NULL WHERE id = ? AND status = 'pending'", JSON.stringify(error), id);
  }

  /** Removes a document entirely (rollback of a create that could not be queued). */
  remove(id: string): void {
    removeDocument(this.sql, id);
  }

  /** A live document, with its embedding progress while it is processing; `stalled` when in flight past its lease (the sweeper resumes it). */
  show(id: string): { document: DocumentRecord; progress: { chunks: number; embedded: number } | null; stalled: boolean } {
    const document = getDocument(this.sql, id);
    if (!document || document.status === "deleted") notFound(id);
    const lease = this.sql.exec<{ l: number | null }>("SELECT lease_until AS l FROM documents WHERE id = ?", id).one().l;
    const stalled = isStalled(document.status, lease, DOCUMENT_IN_FLIGHT, nowMs());
    if (document.status !== "processing") return { document, progress: null, stalled };
    const { chunks, embedded } = chunkStats(this.sql, id);
    return { document, progress: { chunks, embedded }, stalled };
  }

  /** Live documents, newest first, a page after or before a document id. */
  list(opts: PageQuery & { status?: DocumentStatus }): { data: DocumentRecord[]; has_more: boolean } {
    return listDocuments(this.sql, opts);
  }

  /**
   * What deleting a document must remove outside this database (its vectors, its original),
   * or null when it is deleted already (a repeat).
   */
  deletion(id: string): { r2_key: string; chunk_ids: string[] } | null {
    const document = getDocument(this.sql, id);
    if (!document) notFound(id);
    if (document.status === "deleted") return null;
    return { r2_key: document.r2_key, chunk_ids: chunkIds(this.sql, id) };
  }

  /** Marks a document deleted and drops its chunks; the tombstone keeps deletes repeat-safe. */
  markDeleted(id: string): void {
    markDeleted(this.sql, id);
  }

  /** Chunks by id with their document's title (live documents only), for retrieval answers. */
  chunks(ids: string[]): RetrievedChunk[] {
    return getChunks(this.sql, ids);
  }
}
surface(DocumentsSurface, "documents");
