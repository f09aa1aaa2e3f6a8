/** The label bench's setup: a tenant, the field guide cut into small chunks, the seeds' citations program. */
import { readFileSync } from "node:fs";
import { DistilleryClient } from "../../scripts/lib/client.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const CITATIONS = JSON.parse(readFileSync(new URL("../../samples/programs/citations.json", import.meta.url), "utf8"));
const FIELD_GUIDE = new URL("../../samples/corpus/field-guide.md", import.meta.url);

/** Creates a tenant with the operator token and returns a client holding its API key. */
export async function createTenant(url: string, adminToken: string): Promise<DistilleryClient> {
  const admin = new DistilleryClient(url, adminToken);
  const created = await admin.post("/admin/tenants", { name: "bench-label" });
  return new DistilleryClient(url, created.api_key.key as string);
}

/** Uploads the field guide as Markdown with this chunk size and waits until it is embedded. */
export async function uploadCorpus(api: DistilleryClient, chunkSize: number, timeoutMs = 240_000): Promise<{ id: string; chunks: number }> {
  const body = readFileSync(FIELD_GUIDE);
  const title = encodeURIComponent("Teaching Small Models: A Field Guide");
  const overlap = Math.min(200, Math.floor(chunkSize / 8));
  const res = await fetch(`${api.baseUrl}/api/documents?title=${title}&chunk_size=${chunkSize}&chunk_overlap=${overlap}`, {
    method: "POST",
    headers: { ...api.authHeader(), "Content-Type": "text/markdown" },
    body,
  });
  const created = (await res.json()) as any;
  if (!res.ok) throw new Error(`upload failed: ${res.status} ${JSON.stringify(created)}`);
  const id: string = created.document.id;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const doc = await api.get(`/api/documents/${id}`);
    if (doc.status === "ready") return { id, chunks: doc.chunk_count };
    if (doc.status === "failed") throw new Error(`ingestion failed: ${JSON.stringify(doc.error)}`);
    if (Date.now() > deadline) throw new Error(`document still ${doc.status} after ${timeoutMs / 1000} s`);
    await sleep(500);
  }
}

/** The seeds' citations (Response) program in tools mode, as the demo creates it. */
export async function createProgram(api: DistilleryClient, name: string): Promise<void> {
  await api.post("/api/programs", { name, mode: "tools", ...CITATIONS });
}
