/**
 * While a 10 MB adversarial document ingests in `wrangler dev`, how long `GET /health` and another
 * tenant's `GET /api/documents/:id` take: the ingest works in slices that yield, so other requests on
 * the isolate are served between them (aim: every one under 100 ms). Part of bench:adversarial.
 */
import { writeFileSync } from "node:fs";
import { DistilleryClient } from "../../scripts/lib/client.ts";
import { startDevServer } from "../../scripts/lib/dev-server.ts";
import { emulatorVars, startEmulator } from "../../scripts/lib/emulator.ts";
import { monotonicMs, startCpuProfile } from "./cpu-profile.ts";
import { type AdversarialShape, adversarialText } from "../../test/fixtures/adversarial.ts";
import { quantile, table } from "./stats.ts";
import { type Snapshot, snapshotOf } from "./label-snapshot.ts";
import { buildAssets } from "../../scripts/build-assets.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const AIM_MS = 100;

export interface LatencyOptions {
  shape: AdversarialShape;
  chars: number;
  port: number;
  inspectorPort: number;
  boxMs: number;
}

/** Every timed request: what, when it started and ended (monotonic ms, the profile's clock), how long it took. */
const log: { what: string; from: number; to: number; ms: number }[] = [];

async function timed(url: string, headers: Record<string, string> = {}, what = url): Promise<number> {
  const t0 = performance.now();
  const from = monotonicMs();
  const res = await fetch(url, { headers });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`${url} → ${res.status}`);
  const ms = performance.now() - t0;
  log.push({ what, from, to: monotonicMs(), ms });
  return ms;
}

/** Runs the measurement; answers whether every request was under the aim. */
export async function ingestLatency(opts: LatencyOptions): Promise<boolean> {
  // The servers run a snapshot of HEAD unless BENCH_ADV_INGEST_SOURCE=worktree: wrangler dev reloads
  // the Worker when a source file changes, and a reload loses the local queue's ingest messages (an
  // edit during a run left the document processing until the time box ran out).
  const cwd = process.cwd();
  let snapshot: Snapshot | null = null;
  if ((process.env.BENCH_ADV_INGEST_SOURCE ?? "head") === "head") {
    snapshot = snapshotOf(new URL("../..", import.meta.url).pathname);
    // Its own static assets (git-ignored, so not in the snapshot): startDevServer builds the tree's.
    buildAssets(snapshot.dir);
    process.chdir(snapshot.dir);
    console.log(`The servers run a snapshot of HEAD (${snapshot.commit}), so edits to the working tree do not reload them.`);
  }
  try {
    return await measure(opts);
  } finally {
    process.chdir(cwd);
    snapshot?.remove();
  }
}

async function measure(opts: LatencyOptions): Promise<boolean> {
  // The providers in a process of their own, as in production: under `wrangler dev -c a -c b` the
  // emulator shares Distillery's workerd, and its own CPU (embedding thousands of chunks) would be
  // counted as Distillery blocking other requests.
  const emulator = await startEmulator(opts.port + 1, 180_000);
  const server = await startDevServer({
    port: opts.port,
    inspectorPort: opts.inspectorPort,
    timeoutMs: 180_000,
    vars: emulatorVars(emulator.url),
  }).catch(async (err) => {
    await emulator.stop();
    throw err;
  });
  try {
    const admin = new DistilleryClient(server.url, server.adminToken);
    const tenant = async (name: string) => new DistilleryClient(server.url, (await admin.post("/admin/tenants", { name })).api_key.key as string);
    const a = await tenant("bench-adv-ingest");
    const b = await tenant("bench-adv-reader");
    const small = await b.post("/api/documents", { title: "B's note", text: "Another tenant's short document." });
    const bDoc = `${server.url}/api/documents/${small.document.id}`;
    for (let i = 0; i < 100 && (await b.get(`/api/documents/${small.document.id}`)).status !== "ready"; i++) await sleep(200);

    // BENCH_PROFILE=1: a CPU profile of the Worker while it ingests, its hottest functions printed.
    const profiler = process.env.BENCH_PROFILE ? await startCpuProfile(server.inspectorPort) : null;
    const text = adversarialText(opts.shape, opts.chars);
    const t0 = performance.now();
    const res = await fetch(`${server.url}/api/documents?title=adversarial&chunk_size=1024&chunk_overlap=200`, {
      method: "POST",
      headers: { ...a.authHeader(), "Content-Type": "text/plain" },
      body: text,
    });
    const created = (await res.json()) as any;
    if (res.status !== 202) throw new Error(`upload → ${res.status} ${JSON.stringify(created)}`);
    const id = created.document.id as string;
    const health: number[] = [];
    const reads: number[] = [];
    let status = "pending";
    let chunks = 0;
    let lastPoll = 0;
    while (performance.now() - t0 < opts.boxMs) {
      health.push(await timed(`${server.url}/health`, {}, "/health"));
      reads.push(await timed(bDoc, b.authHeader(), "read"));
      if (performance.now() - lastPoll > 1000) {
        lastPoll = performance.now();
        const doc = await a.get(`/api/documents/${id}`);
        status = doc.status;
        chunks = doc.chunk_count ?? doc.progress?.chunks ?? 0;
        if (status === "ready" || status === "failed") break;
      }
      await sleep(20);
    }
    const ingestMs = performance.now() - t0;
    if (process.env.BENCH_LOG_FILE) writeFileSync(process.env.BENCH_LOG_FILE, JSON.stringify(log));
    const rows = [
      ["GET /health", health],
      ["another tenant's GET /api/documents/:id", reads],
    ].map(([name, xs]) => {
      const sorted = [...(xs as number[])].sort((p, q) => p - q);
      return [name as string, String(sorted.length), `${quantile(sorted, 0.5).toFixed(0)} ms`, `${quantile(sorted, 0.95).toFixed(0)} ms`, `${(sorted.at(-1) ?? NaN).toFixed(0)} ms`];
    });
    console.log(
      `\nWhile ${(Buffer.byteLength(text) / 1e6).toFixed(1)} MB of "${opts.shape}" ingested in wrangler dev (${status}, ${chunks} chunks, ${(ingestMs / 1000).toFixed(1)} s; time box ${opts.boxMs / 1000} s):`,
    );
    console.log(table(["request", "samples", "p50", "p95", "max"], rows));
    if (profiler) {
      const { top, spans, during } = await profiler.stop();
      console.log("\nThe Worker's CPU while it ingested (self time, sampled every 1 ms):");
      console.log(table(["function", "where", "ms"], top.map((t) => [t.fn, t.url, t.ms.toFixed(0)])));
      console.log("\nIts longest stretches without an idle sample (yields do not show: one may hold several slices and requests), and the functions on their stacks:");
      console.log(table(["ms", "on the stack (share of the span's samples)"], spans.map((sp) => [sp.ms.toFixed(0), sp.stack.map((f) => `${f.fn} ${(100 * f.share).toFixed(0)}%`).join(", ")])));
      // What the slowest requests waited behind: the samples taken while each was in flight.
      const slowest = [...log].sort((p, q) => q.ms - p.ms).slice(0, 8);
      console.log("\nThe slowest requests and what the isolate ran while each was in flight (its longest runs under one task's top frame; the frames on its samples' stacks):");
      console.log(
        table(
          ["request", "ms", "at s", "longest runs", "on the stack"],
          slowest.map((r) => {
            const w = during(r.from, r.to);
            return [
              r.what,
              r.ms.toFixed(0),
              ((r.from - log[0]!.from) / 1000).toFixed(1),
              w.runs.map((x) => `${x.fn} ${x.ms.toFixed(0)}`).join(", "),
              w.stack.map((f) => `${f.fn} ${(100 * f.share).toFixed(0)}%`).join(", "),
            ];
          }),
        ),
      );
    }
    const worst = Math.max(...health, ...reads);
    const ok = status === "ready" && worst < AIM_MS;
    console.log(ok ? `Every request under ${AIM_MS} ms.` : `Not within the aim: document ${status}, slowest request ${worst.toFixed(0)} ms (aim < ${AIM_MS} ms).`);
    return ok;
  } finally {
    await emulator.stop();
    server.stop();
  }
}
