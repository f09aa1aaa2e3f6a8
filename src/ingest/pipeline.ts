import { tenantStub } from "../durable/tenant";
import type { ChunkRow, DocumentRecord } from "../durable/tenant/documents";
import type { Bindings } from "../env";
import { ApiError } from "../errors";
import { tokenCounter } from "../llm";
import { logLine } from "../lib/log";
import { recordUsage } from "../usage/record";
import { vectorIndexFor } from "../vector";
import { embedTexts, planBatches } from "./embed";
import { extractDocument, pageRange } from "./extract";
import { embedText, formatMetadata, splitText } from "./split";

/** Largest PDF, in pages, the consumer will read (a 169-page 10-K is well inside). */
export const MAX_PDF_PAGES = 2000;
/** How many chunks one embedding round reads from the Tenant object. */
const EMBED_ROUND = 2048;

/** The text embedded with every chunk of a document, as LlamaIndex embeds metadata. */
export function metadataTextOf(doc: Pick<DocumentRecord, "title" | "metadata">): string {
  return formatMetadata({ title: doc.title, ...doc.metadata });
}

/**
 * Ingests one document, resumably: extract and split once (all chunks stored in one
 * write, so a crash leaves all or none), then embed whatever is not yet embedded,
 * then mark it ready. A redelivered message finds the work done and writes nothing twice.
 */
export async function ingestDocument(env: Bindings, tenantId: string, documentId: string, requestId: string): Promise<void> {
  const stub = tenantStub(env, tenantId);
  const doc = await stub.getDocument(documentId);
  if (!doc || doc.status === "deleted" || doc.status === "ready" || doc.status === "failed") return;
  if (doc.status === "pending") await stub.updateDocument(documentId, { status: "processing" });

  const metadataText = metadataTextOf(doc);
  if ((await stub.chunkStats(documentId)).chunks === 0) {
    const { chunks, pageCount, tokenCount } = await chunkDocument(env, doc, metadataText);
    await stub.putChunks(documentId, chunks);
    await stub.updateDocument(documentId, { page_count: pageCount, token_count: tokenCount });
  }

  const index = vectorIndexFor(env, tenantId);
  for (;;) {
    const pending = await stub.chunksToEmbed(documentId, EMBED_ROUND);
    if (pending.length === 0) break;
    for (const batch of planBatches(pending)) {
      const { vectors, usage } = await embedTexts(env, batch.map((c) => embedText(metadataText, c.text)), requestId);
      await recordUsage(env, tenantId, [usage]);
      await index.upsert(
        batch.map((c, i) => ({
          id: c.id,
          values: vectors[i]!,
          metadata: { document_id: documentId, chunk_index: c.idx, ...(c.page_from ? { page: c.page_from } : {}) },
        })),
      );
      await stub.markEmbedded(batch.map((c) => c.id));
    }
  }

  const stats = await stub.chunkStats(documentId);
  const after = await stub.updateDocument(documentId, { status: "ready", chunk_count: stats.chunks, error: null });
  if (after?.status === "deleted") {
    // Deleted while we embedded: the delete could not see the vectors we wrote after it.
    await index.deleteByDocument(documentId, []);
  }
  logLine("info", "document ready", { tenant: tenantId, document: documentId, chunks: stats.chunks, request_id: requestId });
}

async function chunkDocument(
  env: Bindings,
  doc: DocumentRecord,
  metadataText: string,
): Promise<{ chunks: ChunkRow[]; pageCount: number | null; tokenCount: number }> {
  const original = await env.DATA.get(doc.r2_key);
  if (!original) throw new ApiError("not_found", "The document's original is missing from storage.", { retryable: false });
  const extracted = await extractDocument(await original.arrayBuffer(), doc.content_type, { maxPages: MAX_PDF_PAGES });
  const pieces = await splitText(extracted.text, {
    chunkSize: doc.settings.chunk_size,
    chunkOverlap: doc.settings.chunk_overlap,
    encoding: doc.settings.encoding,
    metadataText,
  });
  const count = await tokenCounter(doc.settings.encoding);
  const chunks = pieces.map((c, idx) => {
    const pages = extracted.pages ? pageRange(extracted.pages, c.start, c.end) : null;
    return {
      id: `${doc.id}:${idx}`,
      idx,
      text: c.text,
      start: c.start,
      end: c.end,
      page_from: pages?.from ?? null,
      page_to: pages?.to ?? null,
      tokens: c.tokens,
    };
  });
  return { chunks, pageCount: extracted.pages?.length ?? null, tokenCount: count(extracted.text) };
}

/** Marks a document failed with the reason, and drops its original: nothing half-made stays. */
export async function failDocument(env: Bindings, tenantId: string, documentId: string, err: ApiError): Promise<void> {
  const stub = tenantStub(env, tenantId);
  const doc = await stub.updateDocument(documentId, { status: "failed", error: { code: err.code, message: err.message } });
  if (!doc || doc.status === "deleted") return;
  const ids = await stub.chunkIds(documentId);
  await vectorIndexFor(env, tenantId).deleteByDocument(documentId, ids);
  await env.DATA.delete(doc.r2_key);
}
