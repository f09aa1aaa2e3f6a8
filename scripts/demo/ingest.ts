/** Demo step: upload the sample corpus (as the PDF the project generates) and wait for it to be ready. */
import { readFile } from "node:fs/promises";
import type { DistilleryClient } from "../lib/client.ts";
import { bold, dim, note, progress } from "../lib/ui.ts";
import { makeSamplePdfs } from "../make-samples.ts";

export interface IngestedCorpus {
  documentId: string;
  chunks: number;
  /** The PDF uploaded, on disk. */
  pdfPath: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls a document until it is ready or failed, drawing its progress. */
export async function waitForDocument(api: DistilleryClient, id: string, timeoutMs = 180_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  let bar: ReturnType<typeof progress> | null = null;
  for (;;) {
    const doc = await api.get(`/api/documents/${id}`);
    if (doc.status === "ready" || doc.status === "failed") {
      bar?.(doc.chunk_count ?? 0, "embedded", doc.chunk_count ?? 0);
      return doc;
    }
    if (doc.progress && doc.progress.chunks > 0) {
      bar ??= progress("embedding", doc.progress.chunks);
      bar(doc.progress.embedded, "chunks", doc.progress.chunks);
    }
    if (Date.now() > deadline) throw new Error(`document ${id} is still ${doc.status} after ${timeoutMs / 1000} s`);
    await sleep(300);
  }
}

export async function ingestCorpus(api: DistilleryClient): Promise<IngestedCorpus> {
  note(dim("typesetting samples/corpus/field-guide.md as a PDF (pdfkit)…"));
  const { corpusPdf } = await makeSamplePdfs();
  // Chunks of 512 tokens: twice as many chunks as the default 1024 give the dataset enough distinct
  // questions for an eval split of 30+ beside a training split (the tenant's own default, changeable).
  await api.request("PATCH", "/api/settings", { chunking: { chunk_size: 512, chunk_overlap: 100 } });
  const bytes = await readFile(corpusPdf);
  const title = "Teaching Small Models: A Field Guide to Distilling Structured Outputs";
  const res = await fetch(`${api.baseUrl}/api/documents?title=${encodeURIComponent(title)}`, {
    method: "POST",
    headers: { ...api.authHeader(), "Content-Type": "application/pdf", "Idempotency-Key": "demo-corpus" },
    body: bytes,
  });
  const created = (await res.json()) as any;
  if (!res.ok) throw new Error(`upload failed: ${res.status} ${JSON.stringify(created)}`);
  note(`uploaded ${(bytes.byteLength / 1024).toFixed(0)} KiB PDF → ${bold(created.document.id)} (${res.status}, ${created.document.status})`);
  const doc = await waitForDocument(api, created.document.id);
  if (doc.status !== "ready") throw new Error(`ingestion failed: ${doc.error?.message}`);
  note(
    `${bold(String(doc.chunk_count))} chunks from ${doc.page_count} pages, ${doc.token_count.toLocaleString()} tokens ` +
      dim(`(chunk_size ${doc.settings.chunk_size}, overlap ${doc.settings.chunk_overlap}, ${doc.settings.encoding})`),
  );

  const query = "Which work introduced distilling knowledge with soft targets?";
  const hits = await api.post("/api/retrieve", { query, top_k: 2 });
  note(`retrieve ${dim(JSON.stringify(query))} ${dim("(scores from the emulator's embeddings)")}:`);
  for (const hit of hits.data) {
    const snippet = hit.text.replace(/\s+/g, " ").slice(0, 110);
    note(`  ${hit.score.toFixed(3)}  p.${hit.page}  ${dim(snippet)}…`);
  }
  return { documentId: doc.id, chunks: doc.chunk_count, pdfPath: corpusPdf };
}
