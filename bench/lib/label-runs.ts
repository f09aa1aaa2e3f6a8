/** The two ways of labeling the label bench compares: Distillery's dataset pipeline, and the seeds' loop. */
import type { DistilleryClient } from "../../scripts/lib/client.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface DatasetRun {
  id: string;
  status: string;
  wallMs: number;
  /** When question generation finished (every chunk's task done or failed), ms after the POST. */
  generatedAtMs: number | null;
  rows: number;
  byStatus: { pending: number; labeled: number; rejected: number; failed: number };
  tasks: { pending: number; done: number; failed: number };
  rejectedByReason: Record<string, number>;
  timedOut: boolean;
  /** No row or chunk finished for `stallMs` (e.g. the Worker reloaded and the queue lost its messages). */
  stalled: boolean;
}

/**
 * POST /api/datasets, then polls until it is ready (or failed, cancelled, or the time box ran
 * out: then it is cancelled). `runId` prefixes X-Request-Id, so every provider call the
 * dataset causes falls in that emulator run.
 */
export async function runDataset(
  api: DistilleryClient,
  opts: { name: string; program: string; questionsPerChunk: number; topK: number; runId: string; boxMs: number; stallMs: number; onTick?: (d: any, ms: number) => void },
): Promise<DatasetRun> {
  const t0 = performance.now();
  const created = await api.post(
    "/api/datasets",
    { name: opts.name, program: opts.program, questions_per_chunk: opts.questionsPerChunk, top_k: opts.topK },
    { "X-Request-Id": `${opts.runId}:create` },
  );
  let generatedAtMs: number | null = null;
  let d: any = created;
  let timedOut = false;
  let stalled = false;
  let moved = { at: 0, mark: "" };
  for (;;) {
    d = await api.get(`/api/datasets/${created.id}`);
    const ms = performance.now() - t0;
    const mark = JSON.stringify([d.counts?.by_status, d.progress?.tasks, d.status]);
    if (mark !== moved.mark) moved = { at: ms, mark };
    if (generatedAtMs === null && d.progress?.tasks && d.progress.tasks.pending === 0) generatedAtMs = ms;
    opts.onTick?.(d, ms);
    if (["ready", "failed", "cancelled"].includes(d.status)) break;
    stalled = ms - moved.at > opts.stallMs;
    if (ms > opts.boxMs || stalled) {
      timedOut = !stalled;
      await api.post(`/api/datasets/${created.id}/cancel`).catch(() => undefined);
      d = await api.get(`/api/datasets/${created.id}`);
      break;
    }
    await sleep(250);
  }
  return {
    id: created.id,
    status: d.status,
    wallMs: performance.now() - t0,
    generatedAtMs,
    rows: d.counts.rows,
    byStatus: d.counts.by_status,
    tasks: d.progress.tasks,
    rejectedByReason: d.counts.rejected_by_reason ?? {},
    timedOut,
    stalled,
  };
}

/** The first `n` generated questions of a dataset, in row order. */
export async function firstQuestions(api: DistilleryClient, datasetId: string, n: number): Promise<string[]> {
  const out: string[] = [];
  let after: string | null = null;
  while (out.length < n) {
    const page: any = await api.get(`/api/datasets/${datasetId}/rows?limit=500${after === null ? "" : `&after=${after}`}`);
    for (const row of page.data) if (row.question) out.push(row.question);
    if (!page.has_more) break;
    after = page.last_id;
  }
  return out.slice(0, n);
}

export interface LoopRun {
  done: number;
  ok: number;
  errors: number;
  wallMs: number;
  /** Per-question latency, ms, ascending. */
  latencies: number[];
}

/**
 * The seeds' way: one question at a time, each a structured RAG query (POST /api/query with the
 * same program and top_k), until the questions or the time box run out.
 */
export async function runLoop(
  api: DistilleryClient,
  questions: readonly string[],
  opts: { program: string; topK: number; runId: string; boxMs: number },
): Promise<LoopRun> {
  const t0 = performance.now();
  const latencies: number[] = [];
  let ok = 0;
  let errors = 0;
  for (const [i, question] of questions.entries()) {
    if (performance.now() - t0 > opts.boxMs) break;
    const q0 = performance.now();
    try {
      await api.post("/api/query", { question, program: opts.program, top_k: opts.topK }, { "X-Request-Id": `${opts.runId}:${i}` });
      ok++;
    } catch {
      errors++;
    }
    latencies.push(performance.now() - q0);
  }
  return { done: latencies.length, ok, errors, wallMs: performance.now() - t0, latencies: latencies.sort((a, b) => a - b) };
}
