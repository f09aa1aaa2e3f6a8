import { now } from "../../../lib/clock";
import {
  chunkIds,
  chunksToEmbed,
  chunkStats,
  dropSplitProgress,
  getDocument,
  getSplitProgress,
  putSplitProgress,
  markEmbedded,
  putChunks,
  updateDocument,
  type ChunkRow,
  type DocumentRecord,
  type SplitProgress,
} from "../documents";
import { recordUsage, type UsageEntry } from "../usage";
import { renewDocumentLease } from "../recovery";
import { Surface, surface } from "./surface";

/**
 * Ingestion of one document, resumable at each step: the consumer starts it, stores its chunks
 * once, takes chunks to embed batch by batch, then finishes (or fails) it. A redelivered message
 * finds the work done.
 */
export class IngestSurface extends Surface {
  /**
   * Starts (or resumes) ingesting: null when there is nothing to do (deleted, ready, failed);
   * else the document, now processing, whether its chunks are stored already, and if not, how far
   * its split has got (null: from the start).
   */
  start(documentId: string): { document: DocumentRecord; chunked: boolean; progress: SplitProgress | null } | null {
    const doc = getDocument(this.sql, documentId);
    if (!doc || doc.status === "deleted" || doc.status === "ready" || doc.status === "failed") return null;
    const document = doc.status === "pending" ? updateDocument(this.sql, documentId, { status: "processing" })! : doc;
    renewDocumentLease(this.sql, documentId);
    // Chunks are stored in pages; the document's counts are written with the last one, so a crash
    // between pages leaves it unchunked and the next delivery stores the pages again (ids are stable).
    const chunked = document.token_count !== null && chunkStats(this.sql, documentId).chunks > 0;
    return { document, chunked, progress: chunked ? null : getSplitProgress(this.sql, documentId) };
  }

  /**
   * Stores a page of chunks (repeat-safe: ids are stable). A slice's last page carries the split's
   * progress, recorded with it (one call, one transaction), so a crash redoes at most one slice;
   * the document's last page carries its counts instead, which mark it chunked. Pages keep each
   * call far below the 32 MiB an object call may carry.
   */
  storeChunks(
    documentId: string,
    chunks: ChunkRow[],
    counts?: { page_count: number | null; token_count: number },
    progress?: SplitProgress,
  ): void {
    putChunks(this.sql, documentId, chunks);
    renewDocumentLease(this.sql, documentId);
    if (progress) putSplitProgress(this.sql, documentId, progress);
    if (counts) {
      updateDocument(this.sql, documentId, counts);
      dropSplitProgress(this.sql, documentId);
    }
  }

  /**
   * Marks chunks embedded, with the usage of the calls that embedded them; answers the next
   * `limit` chunks still to embed, in order (none: all are).
   */
  embedded(documentId: string, embedded: string[], usage: UsageEntry[], limit: number): ChunkRow[] {
    markEmbedded(this.sql, embedded);
    renewDocumentLease(this.sql, documentId);
    const at = now();
    for (const entry of usage) recordUsage(this.sql, entry, at);
    return chunksToEmbed(this.sql, documentId, limit);
  }

  /**
   * A page of the chunks still to embed after chunk `afterIdx`, in order: up to `limit`, and no
   * more than about `maxChars` of text (one chunk more at most), so a round of thousands of chunks
   * is read in calls that each stay short (one call of a round's 16 MB held the isolate).
   */
  pending(documentId: string, afterIdx: number, limit: number, maxChars: number): ChunkRow[] {
    return chunksToEmbed(this.sql, documentId, limit, undefined, afterIdx, maxChars);
  }

  /** Marks the document ready with its chunk count; answers its status after (`deleted` if it was deleted meanwhile). */
  finish(documentId: string): { status: DocumentRecord["status"] | null; chunks: number } {
    const { chunks } = chunkStats(this.sql, documentId);
    const after = updateDocument(this.sql, documentId, { status: "ready", chunk_count: chunks, error: null });
    return { status: after?.status ?? null, chunks };
  }

  /**
   * Marks the document failed with the reason; answers what to remove outside this database
   * (its vectors and original), or null when it is gone or deleted.
   */
  fail(documentId: string, error: { code: string; message: string }): { r2_key: string; chunk_ids: string[] } | null {
    const doc = updateDocument(this.sql, documentId, { status: "failed", error });
    dropSplitProgress(this.sql, documentId);
    if (!doc || doc.status === "deleted") return null;
    return { r2_key: doc.r2_key, chunk_ids: chunkIds(this.sql, documentId) };
  }
}
surface(IngestSurface, "ingest");
