import type { TenantHandle } from "../durable/tenant";
import type { ChunkRow, DocumentRecord } from "../durable/tenant/documents";
import type { Bindings } from "../env";
import { ApiError } from "../errors";
import { tokenCounter } from "../llm";
import { logLine } from "../lib/log";
import { priced, recordUsage } from "../usage/record";
import { vectorIndexFor } from "../vector";
import { embeddingCounter, embeddingModel, embedTexts, planBatches } from "./embed";
import { extractDocument, pageRange } from "./extract";
import { embedText, formatMetadata, splitText } from "./split";
import { chunkPages } from "./chunk-pages";

/** Largest PDF, in pages, the consumer will read (a 169-page 10-K is well inside). */
export const MAX_PDF_PAGES = 2000;
/** How many chunks one embedding round reads from the Tenant object. */
const EMBED_ROUND = 2048;

/** The text embedded with every chunk of a document, as LlamaIndex embeds metadata. */
export function metadataTextOf(doc: Pick<DocumentRecord, "title" | "metadata">): string {
  return formatMetadata({ title: doc.title, ...doc.metadata });
}

/**
 * Ingests one document, resumably: extract and split once (chunks stored in pages, the last
 * carrying the counts, so a crash between pages redoes the split), then embed whatever is not yet embedded,
 * then mark it ready. A redelivered message finds the work done and writes nothing twice.
 */
export async function ingestDocument(env: Bindings, tenant: TenantHandle, documentId: string, requestId: string): Promise<void> {
  const started = await tenant.ingest.start(documentId);
  if (!started) return;
  const doc = started.document;
  const metadataText = metadataTextOf(doc);
  if (!started.chunked) {
    const { chunks, pageCount, tokenCount } = await chunkDocument(env, doc, metadataText);
    const pages = chunkPages(chunks);
    for (const [i, page] of pages.entries()) {
      const last = i === pages.length - 1;
      await tenant.ingest.storeChunks(documentId, page, last ? { page_count: pageCount, token_count: tokenCount } : undefined);
    }
  }

  const index = vectorIndexFor(env, tenant.id);
  const embedding = embeddingModel(env);
  // Batches are planned on exactly what is sent, the metadata prefix included, counted as the
  // embedding model's provider counts (a chunk's own `tokens` are the splitter's, without it).
  const count = await embeddingCounter(embedding.entry);
  let pending = await tenant.ingest.embedded(documentId, [], [], EMBED_ROUND);
  while (pending.length > 0) {
    const inputs = pending.map((chunk) => {
      const text = embedText(metadataText, chunk.text);
      return { chunk, text, tokens: count(text) };
    });
    const batches = planBatches(inputs, embedding.limits);
    pending = [];
    for (const [i, inputBatch] of batches.entries()) {
      const batch = inputBatch.map((input) => input.chunk);
      const { vectors, usage } = await embedTexts(env, inputBatch.map((input) => input.text), requestId);
      const records = batch.map((c, i) => ({
        id: c.id,
        values: vectors[i]!,
        metadata: { document_id: documentId, chunk_index: c.idx, ...(c.page_from ? { page: c.page_from } : {}) },
      }));
      try {
        await index.upsert(records);
      } catch (err) {
        await recordUsage(tenant, [usage]); // the call happened: it is paid for whatever came after
        throw err;
      }
      // Marked (with its usage) as soon as stored, so a crash repeats one batch at most; a round's
      // last mark also reads the next round.
      const last = i === batches.length - 1;
      const next = await tenant.ingest.embedded(documentId, batch.map((c) => c.id), [priced(usage)], last ? EMBED_ROUND : 0);
      if (last) pending = next;
    }
  }

  const after = await tenant.ingest.finish(documentId);
  if (after.status === "deleted") {
    // Deleted while we embedded: the delete could not see the vectors we wrote after it.
    await index.deleteByDocument(documentId, []);
  }
  logLine("info", "document ready", { tenant: tenant.id, document: documentId, chunks: after.chunks, request_id: requestId });
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

/**
/**
 * Marks a document failed with the reason and drops its vectors: nothing half-made stays. Its
 * original is dropped too when the content itself was refused; kept when the failure was the
 * providers' (retryable), so `POST /api/documents/:id/retry` can ingest it again. `code` overrides
 * the error's for the document (`interrupted`: stopped with no error caught).
 */
export async function failDocument(env: Bindings, tenant: TenantHandle, documentId: string, err: ApiError, code: string = err.code): Promise<void> {
  const leftovers = await tenant.ingest.fail(documentId, { code, message: err.message });
  if (!leftovers) return;
  await vectorIndexFor(env, tenant.id).deleteByDocument(documentId, leftovers.chunk_ids);
  if (!err.retryable) await env.DATA.delete(leftovers.r2_key);
}
