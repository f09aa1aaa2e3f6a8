/**
 * `npm run bench:serve`: what Distillery adds to a request it serves. Three `wrangler dev`s, as in
 * production three parties: the provider emulator, Distillery (pointed at it), and a bare
 * pass-through Worker (bench/bare-worker/, streaming the upstream's body as it comes). Each chat
 * request (plain and streamed, a prompt of ≥ 1k tokens) is sent directly to the emulator, through
 * the bare Worker and through Distillery's `/openai/v1`, at 1 and at 50 concurrent clients, all in one
 * run; `/api/retrieve` and `/api/query` likewise through Distillery. Per scenario: p50/p99, time to
 * first byte for streams, requests/s, and CPU per request of each workerd read from /proc.
 *
 * The baseline (main before issue 20) is kept in bench/serve-baseline.json and printed beside the
 * figures: `BENCH_SERVE_BASELINE=write npm run bench:serve` on a checkout of main rewrites it.
 * Environment: BENCH_SERVE_N (requests per scenario at 1 client, default 300), BENCH_SERVE_N50 (at 50,
 * default 500), BENCH_SERVE_ONLY=api (only /api/retrieve and /api/query), BENCH_PORT (8840: Distillery, +1 emulator, +2 bare Worker, +3..5 inspectors),
 * BENCH_PROFILE=1 (a CPU profile of Distillery over /api/retrieve at 1 client, its hottest functions;
 * BENCH_PROFILE=chat: over plain chat instead), BENCH_SERVE_ONLY=chat (only the chat scenarios),
 * BENCH_SERVE_ROUNDS (3: the targets of a scenario take turns this many times), BENCH_CPU_BY_PID=1,
 * BENCH_SERVE_LATENCY_MS (400: the realistic scenarios' added provider latency), BENCH_SERVE_N_REAL
 * (45) and BENCH_SERVE_N50_REAL (500): their requests at 1 and at 50 clients.
 *
 * Added latency is shown against both the direct call and the bare Worker: under `wrangler dev` any
 * Worker at all adds wrangler's own proxy hop (a few ms on this machine), which production has not.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { DistilleryClient } from "../scripts/lib/client.ts";
import { spawnWranglerDev, startDevServer, type WranglerDev } from "../scripts/lib/dev-server.ts";
import { emulatorVars, startEmulator } from "../scripts/lib/emulator.ts";
import { startCpuProfile } from "./lib/cpu-profile.ts";
import { table } from "./lib/stats.ts";
import { cpuBetween, cpuSeconds, load, summarise, workerdPids, type LoadResult, type Summary } from "./serve-load.ts";

const N1 = Number(process.env.BENCH_SERVE_N ?? 300);
const N50 = Number(process.env.BENCH_SERVE_N50 ?? 500);
/** The realistic scenarios: a provider answering this much slower, and how many requests they send. */
const REAL_LATENCY_MS = Number(process.env.BENCH_SERVE_LATENCY_MS ?? 400);
const N1_REAL = Number(process.env.BENCH_SERVE_N_REAL ?? 45);
const N50_REAL = Number(process.env.BENCH_SERVE_N50_REAL ?? 500);
const REAL_RUN = "bench-real";
/** Rounds each side-by-side measurement is split into (targets take turns within each). */
const ROUNDS = Number(process.env.BENCH_SERVE_ROUNDS ?? 3);
const PORT = Number(process.env.BENCH_PORT ?? 8840);
const BASELINE = new URL("./serve-baseline.json", import.meta.url);
const MODEL = "gpt-6.1-sol";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A prompt of about 1,200 tokens (the emulator's answers are grounded in it, so it is read). */
const PROMPT = Array.from({ length: 120 }, (_, i) => `Note ${i}: the harbour's tide tables list a high water at ${i % 12} o'clock.`).join(" ");

interface Row extends Summary {
  scenario: string;
  target: string;
  clients: number;
  /** CPU per request of each workerd involved, ms. */
  cpu: Record<string, number>;
}

interface Proc {
  name: string;
  pids: number[];
}

async function main(): Promise<void> {
  const emulator = await startEmulator(PORT + 1, 180_000, PORT + 4);
  const started: { stop(): Promise<void> }[] = [emulator];
  try {
    const dist = await startDevServer({ port: PORT, inspectorPort: PORT + 3, timeoutMs: 180_000, vars: emulatorVars(emulator.url) });
    started.push(dist);
    const bare: WranglerDev = await spawnWranglerDev({
      configs: ["bench/bare-worker/wrangler.jsonc"],
      readyPath: "/health",
      port: PORT + 2,
      inspectorPort: PORT + 5,
      vars: { UPSTREAM: emulator.url },
      timeoutMs: 180_000,
    });
    started.push(bare);
    // Each server's workerd processes, found afresh for each scenario (wrangler may restart one);
    // the emulator's are every workerd not under Distillery's or the bare Worker's wrangler.
    const procsNow = (): Proc[] => {
      const distPids = workerdPids(dist.pid);
      const barePids = workerdPids(bare.pid);
      const emuPids = workerdPids(process.pid).filter((p) => !distPids.includes(p) && !barePids.includes(p));
      return [{ name: "emulator", pids: emuPids }, { name: "distillery", pids: distPids }, { name: "bare", pids: barePids }];
    };

    const admin = new DistilleryClient(dist.url, dist.adminToken);
    const key = (await admin.post("/admin/tenants", { name: "bench-serve" })).api_key.key as string;
    const api = new DistilleryClient(dist.url, key);
    await setUpRag(api);

    const rows: Row[] = [];
    /**
     * Measures targets side by side: `ROUNDS` rounds, each running every target in turn, so a load
     * that comes and goes on this shared machine falls on all of them alike; samples and CPU add up.
     */
    const measure = async (scenario: string, clients: number, targets: [string, () => Promise<Response>][], n?: { n1: number; n50: number }) => {
      const total = clients === 1 ? (n?.n1 ?? N1) : (n?.n50 ?? N50);
      // A few unmeasured requests first: each isolate's first request pays for imports and caches.
      for (const [, send] of targets) await load(Math.min(clients, 5), 10, send);
      const acc = new Map(targets.map(([t]) => [t, { samples: [] as LoadResult["samples"], wallMs: 0, failures: 0, firstError: undefined as string | undefined, cpuS: {} as Record<string, number> }]));
      for (let round = 0; round < ROUNDS; round++) {
        for (const [target, send] of targets) {
          const procs = procsNow();
          const before = procs.map((p) => cpuSeconds(p.pids));
          const r = await load(clients, Math.ceil(total / ROUNDS), send);
          const after = procs.map((p) => cpuSeconds(p.pids));
          const a = acc.get(target)!;
          a.samples.push(...r.samples);
          a.wallMs += r.wallMs;
          a.failures += r.failures;
          a.firstError ??= r.firstError;
          procs.forEach((p, i) => (a.cpuS[p.name] = (a.cpuS[p.name] ?? 0) + cpuBetween(before[i]!, after[i]!)));
          // BENCH_CPU_BY_PID=1: each workerd process's share (wrangler dev runs more than one per server).
          if (process.env.BENCH_CPU_BY_PID) {
            procs.forEach((p, i) =>
              console.log(`    ${target} round ${round + 1}, ${p.name}: ${[...after[i]!].map(([pid, t]) => `${pid} ${(((t - (before[i]!.get(pid) ?? t)) * 1000) / Math.max(1, r.samples.length)).toFixed(2)} ms`).join(", ")}`),
            );
          }
        }
      }
      for (const [target] of targets) {
        const a = acc.get(target)!;
        if (a.failures > 0) console.log(`  ${scenario} via ${target} at ${clients}: ${a.failures} failed (${a.firstError})`);
        const s = summarise({ samples: a.samples, wallMs: a.wallMs, failures: a.failures });
        const cpu: Record<string, number> = {};
        for (const [name, sec] of Object.entries(a.cpuS)) cpu[name] = s.n > 0 ? (sec * 1000) / s.n : NaN;
        rows.push({ scenario, target, clients, ...s, cpu });
        console.log(`  ${scenario.padEnd(16)} ${target.padEnd(10)} ×${String(clients).padEnd(3)} p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, ${s.rps.toFixed(0)}/s`);
      }
    };

    const chatProbe = await fetch(`${dist.url}/openai/v1/chat/completions`, { method: "POST", headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" }, body: "{}" });
    await chatProbe.arrayBuffer();
    const distilleryChat = chatProbe.status !== 404;
    if (!distilleryChat) console.log("Distillery has no POST /openai/v1/chat/completions yet (issue 19): chat is measured direct and through the bare Worker only.");

    // BENCH_SERVE_ONLY=api: only the /api routes (to compare commits quickly).
    // The same at a GPT-4-class provider's pace: each answer takes REAL_LATENCY_MS more, and the
    // emulator's run sends rate-limit headers from OpenAI-like budgets (what the limiter learns from).
    await emulator.configure(REAL_RUN, { latency_ms: REAL_LATENCY_MS, rpm: 10_000, tpm: 30_000_000 });
    let seq = 0;
    const chatScenarios = process.env.BENCH_SERVE_ONLY === "api" ? [] : [
      { stream: false, real: false },
      { stream: true, real: false },
      { stream: false, real: true },
      { stream: true, real: true },
    ];
    for (const { stream, real } of chatScenarios) {
      const body = (withModel: boolean) =>
        JSON.stringify({
          ...(withModel ? { model: MODEL } : {}),
          messages: [{ role: "user", content: PROMPT }],
          max_tokens: 64,
          ...(stream ? { stream: true } : {}),
        });
      const scenario = `${stream ? "chat (stream)" : "chat"}${real ? ` @${REAL_LATENCY_MS} ms` : ""}`;
      const targets: [string, string, Record<string, string>, boolean][] = [
        ["direct", `${emulator.url}/v1/chat/completions`, { Authorization: "Bearer sk-bench" }, true],
        ["bare", `${bare.url}/v1/chat/completions`, { Authorization: "Bearer sk-bench" }, true],
        ...(distilleryChat ? [["distillery", `${dist.url}/openai/v1/chat/completions`, { Authorization: `Bearer ${key}` }, false] as [string, string, Record<string, string>, boolean]] : []),
      ];
      for (const clients of [1, 50]) {
        // BENCH_PROFILE=chat: a CPU profile of Distillery over plain chat at 1 client.
        const chatProfiler = process.env.BENCH_PROFILE === "chat" && clients === 1 && !stream ? await startCpuProfile(dist.inspectorPort) : null;
        await measure(
          scenario,
          clients,
          targets.map(([target, url, headers, withModel]) => {
            const payload = body(withModel);
            // The run travels in the request id (Distillery forwards it to the provider).
            const run = (): Record<string, string> => (real ? { "X-Request-Id": `${REAL_RUN}:${seq++}` } : {});
            return [target, () => fetch(url, { method: "POST", headers: { ...headers, ...run(), "Content-Type": "application/json" }, body: payload })];
          }),
          real ? { n1: N1_REAL, n50: N50_REAL } : undefined,
        );
        if (chatProfiler) {
          const { top, inclusive } = await chatProfiler.stop();
          console.log("\nDistillery's CPU over plain chat at 1 client (self time, sampled every 1 ms):");
          console.log(table(["function", "where", "ms"], top.map((t) => [t.fn, t.url, t.ms.toFixed(0)])));
          console.log("\nThe same, inclusive (time with the function anywhere on the stack):");
          console.log(table(["function", "where", "ms"], inclusive.map((t) => [t.fn, t.url, t.ms.toFixed(0)])));
        }
      }
    }

    const profiler = process.env.BENCH_PROFILE && process.env.BENCH_PROFILE !== "chat" ? await startCpuProfile(dist.inspectorPort) : null;
    // BENCH_SERVE_ONLY=chat: only the chat scenarios.
    for (const clients of process.env.BENCH_SERVE_ONLY === "chat" ? [] : [1, 50]) {
      const headers = { ...api.authHeader(), "Content-Type": "application/json" };
      await measure("/api/retrieve", clients, [
        ["distillery", () => fetch(`${dist.url}/api/retrieve`, { method: "POST", headers, body: JSON.stringify({ query: "When is high water at the harbour?", top_k: 3 }) })],
      ]);
      if (profiler && clients === 1) {
        const { top } = await profiler.stop();
        console.log("\nDistillery's CPU over /api/retrieve at 1 client (self time, sampled every 1 ms):");
        console.log(table(["function", "where", "ms"], top.map((t) => [t.fn, t.url, t.ms.toFixed(0)])));
      }
      await measure("/api/query", clients, [
        ["distillery", () => fetch(`${dist.url}/api/query`, { method: "POST", headers, body: JSON.stringify({ question: "When is high water at the harbour?", program: "citations", top_k: 2 }) })],
      ]);
    }
    report(rows);
  } finally {
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
  }
}

/** A document to retrieve from and a RAG program to query with. */
async function setUpRag(api: DistilleryClient): Promise<void> {
  const text = readFileSync(new URL("../samples/corpus/kestrel-bay-harbour-notes.md", import.meta.url), "utf8");
  const doc = await api.post("/api/documents", { title: "Harbour notes", text });
  for (let i = 0; i < 300; i++) {
    const d = await api.get(`/api/documents/${doc.document.id}`);
    if (d.status === "ready") break;
    if (d.status === "failed") throw new Error(`document failed: ${JSON.stringify(d)}`);
    await sleep(200);
  }
  const citations = JSON.parse(readFileSync(new URL("../samples/programs/citations.json", import.meta.url), "utf8"));
  await api.post("/api/programs", { name: "citations", mode: "tools", ...citations });
}

type Baseline = Record<string, { p50: number; p99: number; rps: number; cpu: number }>;
const keyOf = (r: Row) => `${r.scenario} ${r.target} ${r.clients}`;

function report(rows: Row[]): void {
  const baseline: Baseline = existsSync(BASELINE) ? JSON.parse(readFileSync(BASELINE, "utf8")) : {};
  const was = (r: Row, f: keyof Baseline[string]) => {
    const b = baseline[keyOf(r)];
    return b ? ` (${b[f].toFixed(f === "rps" ? 0 : 1)})` : "";
  };
  const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : "–");
  console.log(`\nbench:serve — ${N1} requests per scenario at 1 client, ${N50} at 50; in brackets: the baseline (main before issue 20)`);
  // Latency on a shared machine moves with its load; CPU per request much less.
  console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(" ")} on ${cpus().length} cores\n`);
  console.log(
    table(
      ["scenario", "via", "clients", "p50 ms", "p99 ms", "TTFB p50", "req/s", "CPU/req: distillery", "bare", "emulator"],
      rows.map((r) => [
        r.scenario,
        r.target,
        String(r.clients),
        ms(r.p50) + was(r, "p50"),
        ms(r.p99) + was(r, "p99"),
        r.scenario.includes("stream") ? ms(r.ttfbP50) : "",
        r.rps.toFixed(0) + was(r, "rps"),
        ms(r.cpu.distillery!) + (r.target === "distillery" ? was(r, "cpu") : ""),
        ms(r.cpu.bare!),
        ms(r.cpu.emulator!),
      ]),
    ),
  );
  // Added latency and CPU against the direct call and the bare Worker, where Distillery served chat.
  const find = (s: string, t: string, c: number) => rows.find((r) => r.scenario === s && r.target === t && r.clients === c);
  const lines: string[][] = [];
  for (const s of [...new Set(rows.filter((r) => r.scenario.startsWith("chat")).map((r) => r.scenario))]) {
    for (const c of [1, 50]) {
      const d = find(s, "distillery", c);
      const direct = find(s, "direct", c);
      const bare = find(s, "bare", c);
      if (!d || !direct || !bare) continue;
      lines.push([
        s,
        String(c),
        `${ms(d.p50 - direct.p50)} / ${ms(d.p50 - bare.p50)}`,
        `${ms(d.p99 - direct.p99)} / ${ms(d.p99 - bare.p99)}`,
        s.includes("stream") ? `${ms(d.ttfbP50 - direct.ttfbP50)} / ${ms(d.ttfbP50 - bare.ttfbP50)}` : "",
        (d.cpu.distillery! / bare.cpu.bare!).toFixed(2),
        (bare.rps / d.rps).toFixed(2),
      ]);
    }
  }
  if (lines.length > 0) {
    console.log("\nDistillery against the direct call and the bare Worker (aim at 1 client: +p50 ≤ 5 ms, +p99 ≤ 15 ms; CPU ≤ 1.5× bare; at 50: throughput within 1.5×; TTFB within 5 ms):\n");
    console.log(table(["scenario", "clients", "+p50 ms: direct / bare", "+p99 ms: direct / bare", "+TTFB p50: direct / bare", "CPU ÷ bare", "bare req/s ÷ ours"], lines));
  }
  if (process.env.BENCH_SERVE_BASELINE === "write") {
    const out: Baseline = {};
    for (const r of rows) if (r.target === "distillery") out[keyOf(r)] = { p50: r.p50, p99: r.p99, rps: r.rps, cpu: r.cpu.distillery! };
    writeFileSync(BASELINE, JSON.stringify(out, null, 2) + "\n");
    console.log(`\nBaseline written to ${BASELINE.pathname}.`);
  }
}

await main();
