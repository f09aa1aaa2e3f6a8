/**
 * `npm run bench:scale`: every size the limits allow, end to end against `wrangler dev` (port 8813,
 * the emulator beside it): a document of ~10k chunks at chunk size 1024 ingested (embedding calls
 * beside the per-request minimum), a 100k-line import, its export and its freeze. Each at half and
 * full size, with its time, the time ratio (aim ≤ 2.2×), and peak memory: the Worker isolate's JS
 * heap (inspector) and workerd's peak RSS (/proc VmHWM, reset per phase). Exits non-zero when a
 * phase's heap passes 128 MB (production's isolate limit) or a phase fails. See bench/README.md.
 */
import { loadavg } from "node:os";
import { DistilleryClient } from "../scripts/lib/client.ts";
import { startDevServer, type DevServer } from "../scripts/lib/dev-server.ts";
import { makeCorpus } from "./lib/corpus.ts";
import { HeapSampler, peakRss, resetPeakRss, workerdPids } from "./lib/memory.ts";
import { table } from "./lib/stats.ts";

const num = (name: string, fallback: number) => {
  const v = process.env[name];
  return v === undefined || v === "" ? fallback : Number(v);
};
const PORT = num("BENCH_SCALE_PORT", 8813);
const INSPECTOR_PORT = num("BENCH_SCALE_INSPECTOR_PORT", 9813);
/** Text per chunk of the corpus at chunk size 1024 / overlap 200 (measured: ~3.3 KB), to aim at the chunk count. */
const BYTES_PER_CHUNK = num("BENCH_SCALE_BYTES_PER_CHUNK", 3300);
const CHUNKS = num("BENCH_SCALE_CHUNKS", 10_000);
const LINES = num("BENCH_SCALE_LINES", 100_000);
/** About the bytes of one import line: 100,000 of them stay under the 32 MiB import limit. */
const LINE_BYTES = num("BENCH_SCALE_LINE_BYTES", 300);
/** "ingest", "import" (with its export and freeze), or both (default). */
const PARTS = (process.env.BENCH_SCALE_PARTS ?? "ingest,import").split(",");
const LIMIT_MB = 128;
/** A phase still running after this long has failed. */
const BOX_MS = num("BENCH_SCALE_BOX_S", 1200) * 1000;
/** The embedding model's per-request limits (catalog: text-embedding-3-small). */
const MAX_INPUTS = 2048;
const MAX_TOKENS = 300_000;

const MB = 1024 * 1024;
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mb = (b: number) => (b > 0 ? `${(b / MB).toFixed(0)} MiB` : "–");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (line: string) => console.log(line);

interface Phase {
  name: string;
  size: string;
  ms: number;
  heap: number;
  /** Bytes of vectors the dev-only local vector index holds in the isolate (Vectorize in production). */
  vectors: number;
  rss: number;
  note: string;
}

/** One JSONL line of about `bytes` bytes, unique by `i`. */
function exampleLine(i: number, bytes: number): string {
  const pad = "x".repeat(Math.max(0, bytes - 120));
  return JSON.stringify({
    messages: [
      { role: "user", content: `Question ${i}: what does record ${i} say? ${pad}` },
      { role: "assistant", content: `Record ${i} says ${i * 7}.` },
    ],
  });
}

/** Runs one measured phase: memory peaks reset at its start and read at its end. */
async function measure(
  ctx: { server: DevServer; pids: number[]; heap: HeapSampler | null; phases: Phase[] },
  name: string,
  size: string,
  fn: () => Promise<{ note: string; vectors?: number }>,
): Promise<void> {
  resetPeakRss(ctx.pids);
  ctx.heap?.reset();
  const t0 = performance.now();
  const { note, vectors = 0 } = await fn();
  const ms = performance.now() - t0;
  const now = workerdPids(ctx.server.pid);
  if (now.join() !== ctx.pids.join()) throw new Error(`workerd restarted during ${name} (${ctx.pids.join(", ")} → ${now.join(", ")})`);
  const phase = { name, size, ms, heap: ctx.heap?.peak() ?? 0, vectors, rss: peakRss(ctx.pids), note };
  const of = vectors ? ` (of which ${mb(vectors)} the dev-only local vector index)` : "";
  log(`  ${name} (${size}): ${s(ms)}, live heap peak ${mb(phase.heap)}${of}, workerd RSS peak ${mb(phase.rss)}; ${note}`);
  ctx.phases.push(phase);
}

/** One size: a fresh wrangler dev (an empty isolate, empty storage), the ingest, then the import, export and freeze. */
async function runSize(fraction: number, phases: Phase[]): Promise<void> {
  const server = await startDevServer({ port: PORT, inspectorPort: INSPECTOR_PORT, timeoutMs: 180_000 });
  const heap = await HeapSampler.connect(server.inspectorPort);
  try {
    const pids = workerdPids(server.pid);
    const ctx = { server, pids, heap, phases };
    const admin = new DistilleryClient(server.url, server.adminToken);
    const tenant = async (name: string) => new DistilleryClient(server.url, (await admin.post("/admin/tenants", { name })).api_key.key as string);
    // The isolate at rest with the tokenizer's tables loaded (a tiny document ingested): where every phase starts.
    const warm = await tenant("bench-scale-warm");
    const tiny = await warm.post("/api/documents", { title: "warm", text: "A tiny document that loads the tokenizer." });
    for (let i = 0; i < 200 && (await warm.get(`/api/documents/${tiny.document.id}`)).status !== "ready"; i++) await sleep(250);
    heap?.reset();
    await sleep(1000);
    log(`wrangler dev at ${server.url} (workerd ${pids.join(", ") || "not found"}); live heap at rest ${heap ? mb(heap.peak()) : "(no inspector)"}`);
    const api = await tenant(`bench-scale-${fraction}`);

    if (PARTS.includes("ingest")) {
      const chunks = Math.round(CHUNKS * fraction);
      const text = makeCorpus("paragraphs", chunks * BYTES_PER_CHUNK, 7);
      await measure(ctx, "ingest", `${chunks} chunks`, async () => {
        const t0 = performance.now();
        const res = await fetch(`${server.url}/api/documents?title=Scale&chunk_size=1024&chunk_overlap=200`, {
          method: "POST",
          headers: { ...api.authHeader(), "Content-Type": "text/plain" },
          body: text,
        });
        const body = (await res.json()) as any;
        if (res.status !== 202) throw new Error(`upload → ${res.status} ${JSON.stringify(body)}`);
        const id = body.document.id as string;
        for (;;) {
          const doc = await api.get(`/api/documents/${id}`);
          if (doc.status === "ready") {
            const usage = await api.get("/api/usage");
            const emb = (usage.data as any[]).filter((r) => r.kind === "embedding");
            const calls = emb.reduce((n, r) => n + r.calls, 0);
            const tokens = emb.reduce((n, r) => n + r.prompt_tokens, 0);
            const minimum = Math.max(Math.ceil(tokens / MAX_TOKENS), Math.ceil(doc.chunk_count / MAX_INPUTS));
            return {
              note: `${(Buffer.byteLength(text) / MB).toFixed(1)} MiB of text, ${doc.chunk_count} chunks, ${calls} embedding calls (per-request minimum ${minimum}: ${tokens} tokens ÷ ${MAX_TOKENS}, ${doc.chunk_count} inputs ÷ ${MAX_INPUTS})`,
              vectors: doc.chunk_count * 1536 * 4,
            };
          }
          if (doc.status === "failed") throw new Error(`ingest failed: ${JSON.stringify(doc.error)}`);
          if (performance.now() - t0 > BOX_MS) throw new Error(`ingest still ${doc.status} after ${BOX_MS / 1000} s: ${JSON.stringify(doc.progress)}`);
          await sleep(250);
        }
      });
    }

    if (PARTS.includes("import")) {
      const lines = Math.round(LINES * fraction);
      const ds = await api.post("/api/datasets", { name: `scale-${lines}`, eval_fraction: 0.1 });
      await measure(ctx, "import", `${lines} lines`, async () => {
        const file = Array.from({ length: lines }, (_, i) => exampleLine(i, LINE_BYTES)).join("\n") + "\n";
        const res = await fetch(`${server.url}/api/datasets/${ds.id}/import`, {
          method: "POST",
          headers: { ...api.authHeader(), "Content-Type": "application/x-ndjson" },
          body: file,
        });
        const body = (await res.json()) as any;
        if (res.status !== 200) throw new Error(`import → ${res.status} ${JSON.stringify(body).slice(0, 500)}`);
        return { note: `${(Buffer.byteLength(file) / MB).toFixed(1)} MiB, imported ${body.imported}` };
      });
      await measure(ctx, "export", `${lines} rows`, async () => {
        const res = await fetch(`${server.url}/api/datasets/${ds.id}/export`, { headers: api.authHeader() });
        if (!res.ok || !res.body) throw new Error(`export → ${res.status}`);
        let bytes = 0;
        let newlines = 0;
        const reader = res.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          bytes += value.byteLength;
          for (let i = value.indexOf(10); i !== -1; i = value.indexOf(10, i + 1)) newlines++;
        }
        if (newlines !== lines) throw new Error(`export had ${newlines} lines, not ${lines}`);
        return { note: `${(bytes / MB).toFixed(1)} MiB streamed, ${newlines} lines` };
      });
      await measure(ctx, "freeze", `${lines} rows`, async () => {
        const frozen = await api.post(`/api/datasets/${ds.id}/freeze`);
        if (frozen.status !== "ready") throw new Error(`freeze → ${frozen.status}`);
        return { note: "ready" };
      });
    }
  } catch (err) {
    log(`Distillery's recent output:\n${server.log().slice(-3000)}`);
    throw err;
  } finally {
    heap?.close();
    server.stop();
    await sleep(2000); // the port is free again for the next size
  }
}

async function main(): Promise<void> {
  log(`bench:scale  ${CHUNKS} chunks at chunk size 1024, ${LINES} import lines; load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  const phases: Phase[] = [];
  let failed = false;
  try {
    for (const fraction of [0.5, 1]) await runSize(fraction, phases);
  } catch (err) {
    failed = true;
    log(`FAILED: ${err instanceof Error ? err.message : String(err)}`);
  }

  const rows = phases.map((p) => {
    const half = phases.find((q) => q.name === p.name && q !== p && phases.indexOf(q) < phases.indexOf(p));
    const ratio = half ? `${(p.ms / half.ms).toFixed(2)}×` : "";
    return [p.name, p.size, s(p.ms), ratio, mb(p.heap), p.vectors ? mb(p.heap - p.vectors) : "", mb(p.rss)];
  });
  log("");
  log(table(["phase", "size", "time", "× half size", "live heap peak", "less local vectors", "workerd RSS peak"], rows));
  // Judged without the dev-only local vector index, which production's isolate does not hold.
  const over = phases.filter((p) => p.heap - p.vectors > LIMIT_MB * 1e6);
  if (over.length > 0) {
    failed = true;
    log(`over ${LIMIT_MB} MB of live heap (less the local vector index): ${over.map((p) => `${p.name} (${p.size}) ${mb(p.heap - p.vectors)}`).join(", ")}`);
  } else if (phases.length > 0) log(`Every phase's live heap (less the dev-only local vector index) within ${LIMIT_MB} MB.`);
  process.exit(failed ? 1 : 0);
}

await main();
