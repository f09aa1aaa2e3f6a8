import type { TenantHandle } from "../durable/tenant";
import type { ChunkRow, DocumentRecord } from "../durable/tenant/documents";
import type { Bindings } from "../env";
import { ApiError } from "../errors";
import { tokenCounter } from "../llm";
import { logLine } from "../lib/log";
import { priced, recordUsage } from "../usage/record";
import { vectorIndexFor } from "../vector";
import { embeddingCounter, embeddingModel, embedTextsFloat32, planBatches } from "./embed";
import { decodeTextStream, extractDocument, formatOf, pageRange, type PageSpan } from "./extract";
import { type Chunk, DEFAULT_SLICE_CHARS, embedText, formatMetadata, splitSlice } from "./split";
import { checkTextBytes, checkTextLimit } from "./limits";
import { chunkPages } from "./chunk-pages";
import { type BlockWriter, dropStoredText, openStoredText, TEXT_BLOCK_CHARS } from "./text-store";

/** Largest PDF, in pages, the consumer will read (a 169-page 10-K is well inside). */
export const MAX_PDF_PAGES = 2000;
/** How many chunks one embedding round reads from the Tenant object. */
const EMBED_ROUND = 2048;

/** The text embedded with every chunk of a document, as LlamaIndex embeds metadata. */
export function metadataTextOf(doc: Pick<DocumentRecord, "title" | "metadata">): string {
  return formatMetadata({ title: doc.title, ...doc.metadata });
}

/**
 * How much one invocation of the consumer may do, so none runs past its CPU budget and the isolate
 * keeps serving other requests meanwhile: text is split `sliceChars` at a time, each slice stored with
 * its progress before the next, with a macrotask between slices; after `slicesPerInvocation` slices
 * (or `roundsPerInvocation` embedding rounds) the invocation stops and the document is queued again.
 */
export interface IngestWork {
  sliceChars: number;
  slicesPerInvocation: number;
  roundsPerInvocation: number;
  /** UTF-16 units per block of the stored extracted text (text-store.ts); tests make it small. */
  textBlockChars: number;
  /** Characters counted for embedding batches between two yields (counting is one pass; a slice's split counts its text about four times). */
  countChars: number;
  /** Characters of chunk text one call to the Tenant object reads for an embedding round (about). */
  readChars: number;
  /** Lets other work on the isolate run (a macrotask and a millisecond: `scheduler.wait(1)`). */
  yieldNow: () => Promise<void>;
}

export const DEFAULT_INGEST_WORK: IngestWork = {
  sliceChars: DEFAULT_SLICE_CHARS,
  // 256 slices ≈ 2 MB of text, a few seconds of CPU on the slowest shapes: far inside a consumer's 30 s.
  slicesPerInvocation: 256,
  roundsPerInvocation: 4,
  textBlockChars: TEXT_BLOCK_CHARS,
  // Four slices' worth: about as long as one slice's split (it counts 3.74× its text on one repeated
  // character), with a quarter of the yields (each costs a millisecond or two, below).
  countChars: 4 * DEFAULT_SLICE_CHARS,
  // 64K characters: 8 chunks of one repeated character at chunk size 1024, ~40 of CJK; a few ms to read
  // and copy (a page of 256K characters of CJK held the isolate 15–20 ms).
  readChars: 64 * 1024,
  // A millisecond, not wait(0): a request's steps do not all run in one turn of the loop (some wait on a
  // socket: in dev its way in and out is through wrangler's proxy), and a timer already due when the loop
  // next polls runs the next slice first, so a request waited behind two or three slices. With 1 ms its
  // next step is usually in first: while 10 MB of CJK ingested, other requests' p95 went from 45-49 to
  // 28-29 ms, for 2 s more of ingest (bench/README.md).
  yieldNow: () => scheduler.wait(1),
};

/** What one invocation did; `done: false` means the document must be queued again to go on. */
export interface IngestOutcome {
  done: boolean;
  slices: number;
  rounds: number;
  /** The longest span of text one slice split. */
  maxSliceChars: number;
  /** The most text counted for embedding batches between two yields. */
  maxCountChars: number;
  /** Characters of the document's text decoded (extracted, or read back from its stored blocks). */
  decodedChars: number;
  /** The most chunk text one call to the Tenant object returned while reading embedding rounds. */
  maxReadChars: number;
  /** Yields made between the calls that read embedding rounds (one after each call). */
  readYields: number;
}

/**
 * Ingests one document, resumably and in bounded steps: extract, then split slice by slice (each
 * slice's chunks stored with the split's progress, the last carrying the document's counts), then
 * embed whatever is not yet embedded, then mark it ready. An invocation that spends its budget
 * answers `done: false`; the next one (or a redelivery after a crash) goes on from the recorded
 * progress and writes nothing twice (chunk ids are `doc:idx`).
 */
export async function ingestDocument(
  env: Bindings,
  tenant: TenantHandle,
  documentId: string,
  requestId: string,
  work: IngestWork = DEFAULT_INGEST_WORK,
): Promise<IngestOutcome> {
  const outcome: IngestOutcome = { done: false, slices: 0, rounds: 0, maxSliceChars: 0, maxCountChars: 0, decodedChars: 0, maxReadChars: 0, readYields: 0 };
  const started = await tenant.ingest.start(documentId);
  if (!started) {
    // Deleted, failed or ready: an invocation that stored its text and then stopped may have left it.
    await dropStoredText(env.DATA, tenant.id, documentId);
    return { ...outcome, done: true };
  }
  const doc = started.document;
  const metadataText = metadataTextOf(doc);
  if (!started.chunked) {
    // Extracted once, by the first invocation; the others read back only the blocks they split.
    const text = await openStoredText(env.DATA, tenant.id, doc.id, (out) => extractOriginal(env, doc, out, work.yieldNow), work.textBlockChars);
    const count = await tokenCounter(doc.settings.encoding);
    const options = {
      chunkSize: doc.settings.chunk_size,
      chunkOverlap: doc.settings.chunk_overlap,
      metadataText,
      sliceChars: work.sliceChars,
    };
    let progress = started.progress ?? { next_offset: 0, next_idx: 0, tokens: 0, counted_to: 0 };
    for (;;) {
      if (outcome.slices >= work.slicesPerInvocation) {
        outcome.decodedChars = text.decodedChars;
        return outcome;
      }
      // The slice's span and the character after it (where a slice ends depends on it).
      const from = progress.next_offset;
      const { base, text: window } = await text.read(from, from + work.sliceChars + 1);
      const local = splitSlice(window, from - base, count, options, progress.counted_to - base);
      const slice = { ...local, end: local.end + base, next: local.next === null ? null : local.next + base };
      outcome.maxSliceChars = Math.max(outcome.maxSliceChars, slice.end - from);
      const chunks = slice.chunks.map((c, i) => chunkRow(doc.id, progress.next_idx + i, { ...c, start: c.start + base, end: c.end + base }, text.pages));
      const tokens = progress.tokens + slice.tokens;
      const next =
        slice.next === null
          ? null
          : { next_offset: slice.next, next_idx: progress.next_idx + chunks.length, tokens, counted_to: slice.end };
      const pages = chunkPages(chunks);
      for (const [i, page] of pages.entries()) {
        const last = i === pages.length - 1;
        const counts = last && !next ? { page_count: text.pages?.length ?? null, token_count: tokens } : undefined;
        await tenant.ingest.storeChunks(documentId, page, counts, last && next ? next : undefined);
      }
      outcome.slices++;
      await work.yieldNow();
      if (!next) break;
      progress = next;
    }
    outcome.decodedChars = text.decodedChars;
    // Chunked: the text is not read again (a crash before this drop leaves it to the last step's).
    await dropStoredText(env.DATA, tenant.id, documentId);
  }

  const index = vectorIndexFor(env, tenant.id);
  const embedding = embeddingModel(env);
  // Batches are planned on exactly what is sent, the metadata prefix included, counted as the
  // embedding model's provider counts (a chunk's own `tokens` are the splitter's, without it).
  const count = await embeddingCounter(embedding.entry);
  // A round is read a page at a time: the same chunks as one read, in calls of bounded size.
  const readRound = async (): Promise<ChunkRow[]> => {
    const round: ChunkRow[] = [];
    while (round.length < EMBED_ROUND) {
      const page = await tenant.ingest.pending(documentId, round.at(-1)?.idx ?? -1, EMBED_ROUND - round.length, work.readChars);
      if (page.length === 0) break;
      for (const chunk of page) round.push(chunk);
      outcome.maxReadChars = Math.max(outcome.maxReadChars, page.reduce((n, c) => n + c.text.length, 0));
      // A macrotask between calls, not only between rounds: in dev the object answers in this
      // process, and workerd polls its sockets only when no event is queued, so a round's ~200 calls
      // back to back held every incoming request until the last (a /health of 112 ms).
      await work.yieldNow();
      outcome.readYields++;
    }
    return round;
  };
  let pending = await readRound();
  while (pending.length > 0) {
    if (outcome.rounds >= work.roundsPerInvocation) return outcome;
    // Counted at most `countChars` of text at a time (or one chunk, when a chunk is longer), yielding
    // between: a round is up to 2,048 chunks, and counting a round of long runs without whitespace in
    // one go held the isolate for seconds. The yield comes before the chunk that would pass the limit,
    // not after it: after, a stretch was up to the limit plus a chunk.
    const inputs: { chunk: ChunkRow; text: string; tokens: number }[] = [];
    let counted = 0;
    for (const chunk of pending) {
      const text = embedText(metadataText, chunk.text);
      if (counted > 0 && counted + text.length > work.countChars) {
        counted = 0;
        await work.yieldNow();
      }
      inputs.push({ chunk, text, tokens: count(text) });
      counted += text.length;
      outcome.maxCountChars = Math.max(outcome.maxCountChars, counted);
    }
    for (const inputBatch of planBatches(inputs, embedding.limits)) {
      const batch = inputBatch.map((input) => input.chunk);
      const { vectors, usage } = await embedTextsFloat32(env, inputBatch.map((input) => input.text), requestId);
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
      // Marked (with its usage) as soon as stored, so a crash repeats one batch at most.
      await tenant.ingest.embedded(documentId, batch.map((c) => c.id), [priced(usage)], 0);
      await work.yieldNow();
    }
    pending = await readRound();
    outcome.rounds++;
    await work.yieldNow();
  }

  await dropStoredText(env.DATA, tenant.id, documentId);
  const after = await tenant.ingest.finish(documentId);
  if (after.status === "deleted") {
    // Deleted while we embedded: the delete could not see the vectors we wrote after it.
    await index.deleteByDocument(documentId, []);
  }
  logLine("info", "document ready", { tenant: tenant.id, document: documentId, chunks: after.chunks, request_id: requestId });
  return { ...outcome, done: true };
}

/**
 * Extracts the document's text from its original into `out`, by the first invocation only (see
 * text-store.ts); answers a PDF's pages. Text is decoded as a stream, a piece at a time with a
 * yield between (10 MB decoded at once held the isolate for over 100 ms); a PDF is extracted whole.
 */
async function extractOriginal(env: Bindings, doc: DocumentRecord, out: BlockWriter, yieldNow: () => Promise<void>): Promise<PageSpan[] | null> {
  const original = await env.DATA.get(doc.r2_key);
  if (!original) throw new ApiError("not_found", "The document's original is missing from storage.", { retryable: false });
  if (formatOf(doc.content_type) !== "pdf") {
    // Its UTF-8 bytes bound its text's (line breaks only shrink): as the upload checked.
    checkTextBytes(original.size);
    await decodeTextStream(original.body, (piece) => out.append(piece), yieldNow);
    return null;
  }
  const extracted = await extractDocument(await original.arrayBuffer(), doc.content_type, { maxPages: MAX_PDF_PAGES });
  checkTextLimit(extracted.text);
  await out.append(extracted.text);
  return extracted.pages;
}

function chunkRow(documentId: string, idx: number, c: Chunk, pages: Parameters<typeof pageRange>[0] | undefined): ChunkRow {
  const range = pages ? pageRange(pages, c.start, c.end) : null;
  return {
    id: `${documentId}:${idx}`,
    idx,
    text: c.text,
    start: c.start,
    end: c.end,
    page_from: range?.from ?? null,
    page_to: range?.to ?? null,
    tokens: c.tokens,
  };
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
  // Extracted again from the original if it is retried.
  await dropStoredText(env.DATA, tenant.id, documentId);
  if (!leftovers) return;
  await vectorIndexFor(env, tenant.id).deleteByDocument(documentId, leftovers.chunk_ids);
  if (!err.retryable) await env.DATA.delete(leftovers.r2_key);
}
