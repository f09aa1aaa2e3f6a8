/**
 * `npm run bench:eval`: one eval run of 200 held-out questions × 3 models (incumbent, candidate,
 * base; the reference is the teacher's stored answer and is never called) with every judge call,
 * through Distillery's eval queue against the emulator with an rpm budget and latency, beside the
 * rate-limit floor (the calls the run made ÷ RPM) and a one-at-a-time loop (the same calls one
 * after another, timed on a few questions and extrapolated). See bench/README.md ("eval").
 *
 *   npm run bench:eval -- --rpm 600 --latency-ms 800
 */
import { loadavg } from "node:os";
import { DistilleryClient } from "../scripts/lib/client.ts";
import { startDevServer, type DevServer } from "../scripts/lib/dev-server.ts";
import { freePort, ratedCalls, startEmulator, type Emulator } from "./lib/label-emulator.ts";
import { removeWhenServersExit, snapshotOf, type Snapshot } from "./lib/label-snapshot.ts";
import { table } from "./lib/stats.ts";

const arg = (name: string): number | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} wants a positive number, not ${v}`);
  return n;
};
const num = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const RPM = arg("rpm") ?? num("BENCH_EVAL_RPM", 600);
const LATENCY_MS = arg("latency-ms") ?? num("BENCH_EVAL_LATENCY_MS", 800);
const QUESTIONS = arg("questions") ?? num("BENCH_EVAL_QUESTIONS", 200);
const LOOP_N = num("BENCH_EVAL_LOOP_N", 3);
const BOX_S = num("BENCH_EVAL_BOX_S", 900);
// "worktree" (default): the servers run the working tree; "head": a snapshot of HEAD (which needs .build/assets there: npm run build:assets).
const SOURCE = process.env.BENCH_EVAL_SOURCE === "head" ? "head" : "worktree";

const INCUMBENT = "gpt-6.1-sol";
const CANDIDATE = "gpt-4.1-mini-2025-04-14";
const BASE = "gpt-4o-mini-2024-07-18";
const RUN = "bench-eval";
const LOOP_RUN = "bench-eval-loop";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const log = (line: string) => console.log(line);

/** Imported chat examples answering with JSON (no program: an eval replays their stored messages). */
function lines(n: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    out.push(
      JSON.stringify({
        messages: [
          { role: "system", content: "You answer questions about the field guide as JSON with an answer and its citations." },
          { role: "user", content: `Question ${i}: which chapter of the field guide covers topic ${i}, and who wrote about it?` },
          { role: "assistant", content: JSON.stringify({ answer: `Chapter ${(i % 7) + 1} covers topic ${i}.`, citations: [`Author ${i % 13} (20${10 + (i % 14)})`] }) },
        ],
      }),
    );
  }
  return out.join("\n") + "\n";
}

async function main(): Promise<void> {
  const started = performance.now();
  log(`bench:eval  rpm ${RPM}, latency ${LATENCY_MS} ms, ${QUESTIONS} questions × 3 models (${INCUMBENT} incumbent, ${CANDIDATE} candidate, ${BASE} base); load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  let emulator: Emulator | null = null;
  let server: DevServer | null = null;
  let snapshot: Snapshot | null = null;
  try {
    if (SOURCE === "head") {
      snapshot = snapshotOf(new URL("..", import.meta.url).pathname);
      process.chdir(snapshot.dir);
      log(`servers run a snapshot of HEAD (${snapshot.commit}) in ${snapshot.dir}`);
    }
    const emulatorPort = await freePort();
    const emulatorUrl = `http://127.0.0.1:${emulatorPort}`;
    [emulator, server] = await Promise.all([startEmulator(emulatorPort), startDevServer({ vars: { OPENAI_BASE_URL: `${emulatorUrl}/v1` } })]);
    log(`started the emulator and Distillery in ${s(performance.now() - started)}`);
    const budget = { rpm: RPM, latency_ms: LATENCY_MS };
    await emulator.configure(RUN, budget);
    await emulator.configure(LOOP_RUN, budget);

    const admin = new DistilleryClient(server.url, server.adminToken);
    const api = new DistilleryClient(server.url, (await admin.post("/admin/tenants", { name: "bench-eval" })).api_key.key);
    // Questions enough that the eval split (90%) holds QUESTIONS of them.
    const ds = await api.post("/api/datasets", { name: "bench-eval", eval_fraction: 0.9 }, {});
    const res = await fetch(`${server.url}/api/datasets/${ds.id}/import`, { method: "POST", headers: { ...api.authHeader(), "Content-Type": "application/x-ndjson" }, body: lines(Math.ceil(QUESTIONS / 0.8)) });
    if (!res.ok) throw new Error(`import failed: ${res.status} ${await res.text()}`);
    const snap = await api.post(`/api/datasets/${ds.id}/freeze`);
    const body = { dataset: snap.id, incumbent: INCUMBENT, models: [CANDIDATE, BASE], max_questions: QUESTIONS };
    const dry = await api.post("/api/evals", { ...body, dry_run: true });
    log(`dry run: ${dry.estimate.questions} questions, ${dry.estimate.calls.answers} answers + ${dry.estimate.calls.judge} judge + ${dry.estimate.calls.embeddings} embedding calls, ≈ $${dry.estimate.cost_usd}`);

    // 1. Distillery: the eval on the eval queue, paced by the provider key's limiter.
    const t0 = performance.now();
    const created = await api.post("/api/evals", body, { "X-Request-Id": `${RUN}:create` });
    let e = created;
    let lastLine = 0;
    while (e.status === "running" || e.status === "reporting") {
      if (performance.now() - t0 > BOX_S * 1000) throw new Error(`eval still ${e.status} after ${BOX_S} s`);
      await sleep(250);
      e = await api.get(`/api/evals/${created.id}`);
      const ms = performance.now() - t0;
      if (ms - lastLine > 15_000) {
        lastLine = ms;
        log(`  ${s(ms).padStart(7)}  ${e.status}: tasks ${e.progress.tasks_done + e.progress.tasks_failed}/${e.progress.tasks_total}`);
      }
    }
    const wallMs = performance.now() - t0;
    if (e.status !== "completed") throw new Error(`eval ended ${e.status}: ${e.error}`);
    const stats = await emulator.stats(RUN);
    const calls = ratedCalls(stats);
    const accepted = calls.chat + calls.embeddings - stats.rate_limited;
    const floorMs = (accepted / RPM) * 60_000;
    log(`eval ${e.id}: completed in ${s(wallMs)}; tasks ${e.progress.tasks_total} (${e.progress.tasks_failed} failed); emulator: ${JSON.stringify(stats.requests)}, 429s ${stats.rate_limited}`);

    // 2. The one-at-a-time loop: the same calls per question, one after another, on LOOP_N questions.
    const perQuestion = Math.round(accepted / e.questions);
    const t1 = performance.now();
    for (let i = 0; i < LOOP_N * perQuestion; i++) {
      const r = await fetch(`${emulator.url}/v1/chat/completions`, {
        method: "POST",
        headers: { Authorization: "Bearer sk-bench", "Content-Type": "application/json", "X-Emulator-Run": LOOP_RUN },
        body: JSON.stringify({ model: BASE, messages: [{ role: "user", content: `Question ${i}: which chapter covers topic ${i}?` }] }),
      });
      await r.arrayBuffer();
    }
    const loopMs = performance.now() - t1;
    const loopAllMs = (loopMs / LOOP_N) * e.questions;

    const x = (ms: number) => `${(ms / wallMs).toFixed(2)}×`;
    log("");
    log(
      table(
        ["way", "questions", "calls (rpm)", "wall time", "÷ Distillery"],
        [
          ["Distillery eval (eval queue), measured", `${e.questions}`, `${accepted}`, s(wallMs), "1.00×"],
          [`rate-limit floor: calls ÷ RPM (${RPM})`, `${e.questions}`, `${accepted}`, s(floorMs), x(floorMs)],
          [`serial latency floor: calls × ${LATENCY_MS} ms`, `${e.questions}`, `${accepted}`, s(accepted * LATENCY_MS), x(accepted * LATENCY_MS)],
          [`one-at-a-time loop, measured on ${LOOP_N}`, `${LOOP_N}`, `${LOOP_N * perQuestion}`, s(loopMs), "–"],
          [`  … extrapolated to ${e.questions} questions`, `${e.questions}`, `${perQuestion * e.questions}`, s(loopAllMs), x(loopAllMs)],
        ],
      ),
    );
    log("");
    log(`Distillery ${s(wallMs)} = ${(wallMs / floorMs).toFixed(2)}× the rate-limit floor (${s(floorMs)}; aim ≤ 1.15×); ${perQuestion} calls per question; 429s ${stats.rate_limited}`);
    log(`done in ${s(performance.now() - started)}`);
  } finally {
    server?.stop();
    emulator?.stop();
    if (snapshot) removeWhenServersExit(snapshot);
  }
}

main().catch((err: unknown) => {
  console.error(`bench:eval failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
});
