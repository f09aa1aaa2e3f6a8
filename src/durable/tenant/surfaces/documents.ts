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

  /** Inserts a document unless a live twin exists (then that one, unchanged). */
  create(doc: NewDocument): { created: boolean; document: DocumentRecord } {
    return createDocument(this.sql, doc);
  }

  /** Removes a document entirely (rollback of a create that could not be queued). */
  remove(id: string): void {
    removeDocument(this.sql, id);
  }

  /** A live document, with its embedding progress while it is processing. */
  show(id: string): { document: DocumentRecord; progress: { chunks: number; embedded: number } | null } {
    const document = getDocument(this.sql, id);
    if (!document || document.status === "deleted") notFound(id);
    if (document.status !== "processing") return { document, progress: null };
    const { chunks, embedded } = chunkStats(this.sql, id);
    return { document, progress: { chunks, embedded } };
  }

  list(opts: { limit: number; cursor?: number; status?: DocumentStatus }): { data: DocumentRecord[]; next_cursor: number | null } {
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
