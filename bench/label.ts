/**
 * `npm run bench:label`: labels ≥ 1,000 generated questions with Distillery's dataset pipeline
 * (label queue: question generation per chunk, then RAG + program per question) against the
 * emulator with an rpm budget and latency, and prints its wall time beside the rate-limit floor
 * (calls ÷ RPM) and beside the seeds' one-at-a-time loop (POST /api/query per question, timed on
 * a sample and extrapolated). See bench/README.md ("label").
 */
import { loadavg } from "node:os";
import { startDevServer, type DevServer } from "../scripts/lib/dev-server.ts";
import { freePort, ratedCalls, startEmulator, type Emulator } from "./lib/label-emulator.ts";
import { firstQuestions, runDataset, runLoop } from "./lib/label-runs.ts";
import { removeWhenServersExit, snapshotOf, type Snapshot } from "./lib/label-snapshot.ts";
import { createProgram, createTenant, uploadCorpus } from "./lib/label-setup.ts";
import { quantile, table } from "./lib/stats.ts";

const num = (name: string, fallback: number) => {
  const v = process.env[name];
  return v === undefined || v === "" ? fallback : Number(v);
};
/** `--rpm N`, `--tpm N`, `--latency-ms N` on the command line win over the environment. */
const arg = (name: string): number | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} wants a positive number, not ${v}`);
  return n;
};
const RPM = arg("rpm") ?? num("BENCH_LABEL_RPM", 1500);
const TPM = arg("tpm") ?? num("BENCH_LABEL_TPM", 0);
const LATENCY_MS = arg("latency-ms") ?? num("BENCH_LABEL_LATENCY_MS", 50);
const CHUNK_SIZE = num("BENCH_LABEL_CHUNK_SIZE", 128);
const QUESTIONS_PER_CHUNK = num("BENCH_LABEL_QUESTIONS_PER_CHUNK", 5);
const TOP_K = num("BENCH_LABEL_TOP_K", 2);
const DATASET_BOX_S = num("BENCH_LABEL_BOX_S", 360);
const LOOP_N = num("BENCH_LABEL_LOOP_N", 100);
const LOOP_BOX_S = num("BENCH_LABEL_LOOP_BOX_S", 60);
const STALL_S = num("BENCH_LABEL_STALL_S", 120);
/** "head" (default): the servers run a snapshot of HEAD; "worktree": the working tree as it is. */
const SOURCE = process.env.BENCH_LABEL_SOURCE === "worktree" ? "worktree" : "head";

const PROGRAM = "citations_tools";
const DATASET_RUN = "bench-dataset";
const LOOP_RUN = "bench-loop";

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const perMin = (n: number, ms: number) => (ms > 0 ? ((n * 60_000) / ms).toFixed(0) : "–");
const log = (line: string) => console.log(line);

async function main(): Promise<void> {
  const started = performance.now();
  log(`bench:label  rpm ${RPM}, tpm ${TPM || "none"}, latency ${LATENCY_MS} ms, chunk_size ${CHUNK_SIZE}, ${QUESTIONS_PER_CHUNK} questions/chunk, top_k ${TOP_K}; load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);

  let emulator: Emulator | null = null;
  let server: DevServer | null = null;
  let snapshot: Snapshot | null = null;
  try {
    if (SOURCE === "head") {
      snapshot = snapshotOf(new URL("..", import.meta.url).pathname);
      process.chdir(snapshot.dir);
      log(`servers run a snapshot of HEAD (${snapshot.commit}) in ${snapshot.dir}, so edits to the working tree do not reload them`);
    }
    const emulatorPort = await freePort();
    const emulatorUrl = `http://127.0.0.1:${emulatorPort}`;
    // The most deliveries any label message took (its retries and its waits sent back), from the consumer's log.
    let maxDeliveries = 1;
    const onLine = (line: string) => {
      if (!line.includes('"label redelivery"')) return;
      const m = /"deliveries":(\d+)/.exec(line);
      if (m) maxDeliveries = Math.max(maxDeliveries, Number(m[1]));
    };
    [emulator, server] = await Promise.all([startEmulator(emulatorPort), startDevServer({ vars: { OPENAI_BASE_URL: `${emulatorUrl}/v1` }, onLine })]);
    log(`started the emulator at ${emulator.url} and Distillery at ${server.url} (OPENAI_BASE_URL → the emulator) in ${s(performance.now() - started)}`);
    const budget = { rpm: RPM, latency_ms: LATENCY_MS, ...(TPM ? { tpm: TPM } : {}) };
    await emulator.configure(DATASET_RUN, budget);
    await emulator.configure(LOOP_RUN, budget);

    const api = await createTenant(server.url, server.adminToken);
    const t0 = performance.now();
    const corpus = await uploadCorpus(api, CHUNK_SIZE);
    const ingest = await emulator.stats("default");
    if (ratedCalls(ingest).embeddings === 0) throw new Error("ingestion made no embedding call on the bench's emulator: OPENAI_BASE_URL was not honoured");
    log(`ingested samples/corpus/field-guide.md: ${corpus.chunks} chunks in ${s(performance.now() - t0)} (emulator run "default", no budget)`);
    await createProgram(api, PROGRAM);

    // 1. Distillery: the dataset pipeline on the label queue.
    let lastLine = 0;
    const ds = await runDataset(api, {
      name: "bench-label",
      program: PROGRAM,
      questionsPerChunk: QUESTIONS_PER_CHUNK,
      topK: TOP_K,
      runId: DATASET_RUN,
      boxMs: DATASET_BOX_S * 1000,
      stallMs: STALL_S * 1000,
      onTick: (d, ms) => {
        if (ms - lastLine < 15_000) return;
        lastLine = ms;
        const b = d.counts?.by_status ?? {};
        log(`  ${s(ms).padStart(7)}  ${d.status}: chunks ${d.progress?.tasks?.done ?? 0}/${corpus.chunks}, rows ${d.counts?.rows ?? 0} (labeled ${b.labeled ?? 0}, rejected ${b.rejected ?? 0}, failed ${b.failed ?? 0}, pending ${b.pending ?? 0})`);
      },
    });
    const dsStats = await emulator.stats(DATASET_RUN);
    const dsCalls = ratedCalls(dsStats);
    const finished = ds.byStatus.labeled + ds.byStatus.rejected + ds.byStatus.failed;
    log(`dataset ${ds.id}: ${ds.status}${ds.timedOut ? ` (time box of ${DATASET_BOX_S} s ran out: cancelled)` : ""}${ds.stalled ? ` (nothing moved for ${STALL_S} s: cancelled)` : ""} in ${s(ds.wallMs)}; ` +
      `question generation done at ${ds.generatedAtMs === null ? "–" : s(ds.generatedAtMs)}; rows ${ds.rows}: ${JSON.stringify(ds.byStatus)}, rejected by reason ${JSON.stringify(ds.rejectedByReason)}; tasks ${JSON.stringify(ds.tasks)}`);
    if (ds.stalled) log(`Distillery's recent output:\n${server.log().slice(-4000)}`);
    log(`emulator run ${DATASET_RUN}: ${JSON.stringify(dsStats.requests)}, 429s ${dsStats.rate_limited}`);

    // 2. The seeds' loop: one question at a time through /api/query, on the first questions.
    const questions = await firstQuestions(api, ds.id, LOOP_N);
    log(`one-at-a-time loop on the first ${questions.length} questions (time box ${LOOP_BOX_S} s)…`);
    const loop = await runLoop(api, questions, { program: PROGRAM, topK: TOP_K, runId: LOOP_RUN, boxMs: LOOP_BOX_S * 1000 });
    const loopStats = await emulator.stats(LOOP_RUN);
    const loopCalls = ratedCalls(loopStats);
    log(`loop: ${loop.done} questions (${loop.ok} ok, ${loop.errors} errors) in ${s(loop.wallMs)}; p50 ${quantile(loop.latencies, 0.5).toFixed(0)} ms, p90 ${quantile(loop.latencies, 0.9).toFixed(0)} ms; emulator run ${LOOP_RUN}: ${JSON.stringify(loopStats.requests)}, 429s ${loopStats.rate_limited}`);

    // 3. The table.
    const questionsN = ds.rows;
    const calls = dsCalls.chat + dsCalls.embeddings;
    const accepted = calls - dsStats.rate_limited - Object.values(dsStats.faults).reduce((a, b) => a + b, 0);
    const floorRequestsMs = (accepted / RPM) * 60_000;
    // Tokens bind when the run's tokens ÷ TPM take longer than its calls ÷ RPM.
    const floorTokensMs = TPM ? (dsStats.tokens.total / TPM) * 60_000 : 0;
    const floorCallsMs = Math.max(floorRequestsMs, floorTokensMs);
    const floorQuestionsMs = (questionsN / RPM) * 60_000;
    const perQuestionLoopMs = loop.done > 0 ? loop.wallMs / loop.done : NaN;
    const loopAllMs = perQuestionLoopMs * questionsN;
    // A generation call is one chat call; a loop question is one embedding + one chat call (+ Distillery's own work).
    const loopCallsPerQ = loop.done > 0 ? (loopCalls.chat + loopCalls.embeddings) / loop.done : 2;
    const loopWithGenMs = loopAllMs + (perQuestionLoopMs / loopCallsPerQ) * ds.tasks.done;
    const x = (ms: number) => (ds.wallMs > 0 ? `${(ms / ds.wallMs).toFixed(2)}×` : "–");
    log("");
    log(table(
      ["way", "questions", "calls (rpm)", "wall time", "questions/min", "÷ Distillery"],
      [
        ["Distillery dataset (label queue), measured", `${finished} of ${questionsN}`, `${accepted}`, s(ds.wallMs), perMin(finished, ds.wallMs), "1.00×"],
        [`rate-limit floor: calls ÷ RPM (${RPM})`, `${questionsN}`, `${accepted}`, s(floorRequestsMs), perMin(questionsN, floorRequestsMs), x(floorRequestsMs)],
        ...(TPM ? [[`rate-limit floor: ${dsStats.tokens.total} tokens ÷ TPM (${TPM})`, `${questionsN}`, `${accepted}`, s(floorTokensMs), perMin(questionsN, floorTokensMs), x(floorTokensMs)]] : []),
        [`serial latency floor: calls × ${LATENCY_MS} ms`, `${questionsN}`, `${accepted}`, s(accepted * LATENCY_MS), perMin(questionsN, accepted * LATENCY_MS), x(accepted * LATENCY_MS)],
        [`rate-limit floor: questions ÷ RPM (${RPM})`, `${questionsN}`, `${questionsN}`, s(floorQuestionsMs), `${RPM}`, x(floorQuestionsMs)],
        [`one-at-a-time loop, measured on ${loop.done}`, `${loop.done}`, `${loopCalls.chat + loopCalls.embeddings}`, s(loop.wallMs), perMin(loop.done, loop.wallMs), "–"],
        [`  … extrapolated to ${questionsN} questions`, `${questionsN}`, `${Math.round(loopCallsPerQ * questionsN)}`, s(loopAllMs), perMin(questionsN, loopAllMs), x(loopAllMs)],
        [`  … plus ${ds.tasks.done} generation calls (estimated)`, `${questionsN}`, `${Math.round(loopCallsPerQ * questionsN) + ds.tasks.done}`, s(loopWithGenMs), perMin(questionsN, loopWithGenMs), x(loopWithGenMs)],
      ],
    ));
    log("");
    const gen = ds.tasks.done + ds.tasks.failed;
    log(`calls per labeled question in Distillery's run: ${(dsCalls.embeddings / Math.max(1, ds.byStatus.labeled)).toFixed(2)} embeddings + ${((dsCalls.chat - gen) / Math.max(1, ds.byStatus.labeled)).toFixed(2)} chat ` +
      `(questions rejected at generation make none), ` +
      `plus ${gen} generation chat calls (one per chunk); embeddings and chat completions both count against rpm; ` +
      `${dsStats.rate_limited} of ${calls} calls were refused (429) and retried by the queue.`);
    // Redone: embeddings beyond one per question that reached retrieval (questions dropped at
    // generation as duplicates make none); a retry after a chat 429 should reuse its retrieval.
    // Refused embedding calls count as redone here (the emulator's 429s are not split by endpoint):
    // an upper bound.
    const retrieved = ds.byStatus.labeled + ds.byStatus.rejected - (ds.rejectedByReason.duplicate_question ?? 0);
    const redone = Math.max(0, dsCalls.embeddings - retrieved);
    const deadLettered = ds.byStatus.failed + ds.tasks.failed;
    log(
      `Distillery ${s(ds.wallMs)} = ${(ds.wallMs / floorCallsMs).toFixed(2)}× the rate-limit floor (${s(floorCallsMs)}${floorTokensMs > floorRequestsMs ? ", tokens bind" : ""}); ` +
        `serial loop ${s(loopWithGenMs)}; 429s ${dsStats.rate_limited}; calls redone ${redone} (${((100 * redone) / Math.max(1, accepted)).toFixed(2)}% of ${accepted}); ` +
        `dead-lettered ${deadLettered} (rows and chunks failed); most deliveries of any message ${maxDeliveries}; rows ${questionsN} (${finished} finished, ${ds.byStatus.pending} pending)`,
    );
    log(`done in ${s(performance.now() - started)}`);
    if (ds.timedOut || ds.stalled || ds.status !== "ready") process.exitCode = 1;
  } finally {
    server?.stop();
    emulator?.stop();
    if (snapshot) removeWhenServersExit(snapshot);
  }
}

main().catch((err: unknown) => {
  console.error(`bench:label failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  process.exitCode = 1;
});
