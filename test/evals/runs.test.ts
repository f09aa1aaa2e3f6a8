import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runScheduled } from "../../src/cron/scheduled";
import type { Bindings } from "../../src/env";
import { openTenant } from "../../src/durable/tenant";
import { registerDecisionHook } from "../../src/evals/runs/decision";
import { advanceClock, setClock } from "../../src/lib/clock";
import { QUEUES } from "../../src/queues/messages";
import { api, bindings, createTenant } from "../helpers/api";
import { configureRun, runStats, uniqueRun } from "../helpers/emulator";
import { drainEval } from "../helpers/evals";
import { readyDataset, WHILE_OPENAI_TRAINS } from "../helpers/jobs";
import { deliver } from "../helpers/queues";

/*
 * Eval runs on the emulator over a small imported snapshot (no program: stored messages replay;
 * faithfulness is undetermined without contexts and needs no call): a clean run, the same run with
 * every message delivered twice, cancel, the cost cap, and the decision hook.
 */

const BASE = "gpt-4o-mini-2024-07-18";
const INCUMBENT = "gpt-4.1-mini-2025-04-14";
let t: { id: string; key: string };
let snapshot: { id: string };

beforeAll(async () => {
  setClock(WHILE_OPENAI_TRAINS);
  t = await createTenant();
  snapshot = await readyDataset(t.key, { examples: 12, evalFraction: 0.5 });
});
beforeEach(() => setClock(WHILE_OPENAI_TRAINS));

async function startEval(run: string, extra: Record<string, unknown> = {}) {
  await configureRun(run, {});
  const res = await api("/api/evals", {
    method: "POST",
    key: t.key,
    json: { dataset: snapshot.id, incumbent: INCUMBENT, models: [BASE], metrics: ["answer_relevancy", "schema_validity", "agreement", "exact_match", "pairwise"], ...extra },
    headers: { "X-Request-Id": `${run}:create` },
  });
  expect(res.status, res.text).toBe(202);
  return res.body;
}

const calls = async (run: string) => Object.values((await runStats(run)).requests).reduce((a, b) => a + b, 0);

/** The report without what differs between two runs of the same work: ids, times, latency. */
function comparable(report: any) {
  const { eval_id, generated_at, ...rest } = report;
  return { ...rest, models: rest.models.map(({ latency_ms, ...m }: any) => m) };
}

describe("eval runs", () => {
  let clean: any;

  it("runs to completion: a report per model and metric, paired differences, cost, the reference stated, the promotion rule's decision", async () => {
    const created = await startEval(uniqueRun("ev-clean"));
    expect(created).toMatchObject({ object: "eval", status: "running", models: [{ id: INCUMBENT, role: "incumbent" }, { id: BASE, role: "candidate" }] });
    const done = await drainEval(t, created.id);
    expect(done.status, JSON.stringify(done)).toBe("completed");
    clean = done.report;
    expect(clean.questions).toBe(done.questions);
    expect(clean.models).toHaveLength(2);
    const cand = clean.models[1];
    expect(cand.answered).toBe(done.questions);
    expect(cand.metrics.agreement.n_scored + cand.metrics.agreement.n_undetermined).toBe(done.questions);
    expect(cand.paired_vs_incumbent.agreement.n_pairs).toBeGreaterThan(0);
    expect(cand.pairwise_vs_incumbent.wins + cand.pairwise_vs_incumbent.losses + cand.pairwise_vs_incumbent.ties + cand.pairwise_vs_incumbent.n_undetermined).toBe(done.questions);
    expect(cand.cost_per_1k_answers_usd).toBeGreaterThan(0);
    expect(cand.latency_ms.p50).not.toBeNull();
    expect(clean.reference.statement).toMatch(/only rows the quality filters passed/);
    // The promotion rule (registered by the Worker) keeps the incumbent: faithfulness was not measured.
    expect(clean.decision).toMatchObject({ decision: "keep", candidate: BASE, applied: false });
    expect(done.decision).toMatchObject({ decision: "keep", candidate: BASE, applied: false });

    const rows = await api(`/api/evals/${created.id}/rows?limit=2`, { key: t.key });
    expect(rows.status, rows.text).toBe(200);
    expect(rows.body.data).toHaveLength(2);
    expect(rows.body.data[0].models.map((m: any) => m.model)).toEqual([INCUMBENT, BASE]);
    const csv = await api(`/api/evals/${created.id}/rows?format=csv`, { key: t.key });
    expect(csv.headers.get("content-type")).toMatch(/text\/csv/);
    expect(csv.text.trim().split("\r\n")).toHaveLength(done.questions + 1);
    const reportCsv = await api(`/api/evals/${created.id}?format=csv`, { key: t.key });
    expect(reportCsv.status).toBe(200);
    expect(reportCsv.text).toMatch(/^model,role,metric,mean/);
  });

  it("gives a clean run's report when every message is delivered twice (nothing counted twice)", async () => {
    const run = uniqueRun("ev-twice");
    const created = await startEval(run);
    const done = await drainEval(t, created.id, { copies: 2 });
    expect(done.status).toBe("completed");
    expect(comparable(done.report)).toEqual(comparable(clean));
    expect(done.progress.tasks_done).toBe(done.progress.tasks_total);
  });

  it("stops spending once cancelled: the messages still queued call no provider", async () => {
    const run = uniqueRun("ev-cancel");
    const created = await startEval(run);
    using tenant = openTenant(bindings, t.id);
    const queued = await tenant.evals.pending(created.id, 500);
    await deliver(QUEUES.eval, queued.slice(0, 2).map((task_id) => ({ type: "eval.task", tenant_id: t.id, request_id: `${run}:x`, eval_id: created.id, task_id })));
    const cancelled = await api(`/api/evals/${created.id}/cancel`, { method: "POST", key: t.key });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe("cancelled");
    const before = await calls(run);
    const result = await deliver(QUEUES.eval, queued.slice(2).map((task_id) => ({ type: "eval.task", tenant_id: t.id, request_id: `${run}:x`, eval_id: created.id, task_id })));
    expect(result.explicitAcks.length).toBe(queued.length - 2);
    expect(await calls(run)).toBe(before);
    expect((await api(`/api/evals/${created.id}/cancel`, { method: "POST", key: t.key })).status).toBe(200);
  });

  it("stops at the cost cap with a clear status, having spent no more than the cap", async () => {
    const run = uniqueRun("ev-cap");
    const dry = await api("/api/evals", { method: "POST", key: t.key, json: { dataset: snapshot.id, incumbent: INCUMBENT, models: [BASE], dry_run: true } });
    const cap = dry.body.estimate.cost_per_question_usd * 1.5;
    const created = await startEval(run, { max_cost_usd: cap });
    const done = await drainEval(t, created.id);
    expect(done.status).toBe("cost_capped");
    expect(done.error).toMatch(/max_cost_usd/);
    expect(done.cost_usd).toBeLessThanOrEqual(cap);
    expect(done.progress.tasks_done).toBeLessThan(done.progress.tasks_total);
  });

  it("asks the registered decision hook on completion and stores its answer with the eval and in the report", async () => {
    const seen: string[] = [];
    const restore = registerDecisionHook(async ({ evalId, report }) => {
      seen.push(evalId);
      return { decision: "keep", candidate: report.models[1]!.model, reason: "test rule", conditions: [{ name: "questions", value: report.questions, threshold: 1, passed: true }] };
    });
    try {
      const created = await startEval(uniqueRun("ev-hook"), { metrics: ["agreement"] });
      const done = await drainEval(t, created.id);
      expect(seen).toEqual([created.id]);
      expect(done.decision).toMatchObject({ decision: "keep", candidate: BASE });
      expect(done.report.decision).toMatchObject({ decision: "keep", reason: "test rule" });
    } finally {
      restore();
    }
  });

  it("queues a stalled eval's pending tasks again from the sweeper once its lease lapses, and the eval then completes", async () => {
    const created = await startEval(uniqueRun("ev-sweep"), { metrics: ["agreement"] });
    // Its messages lost: nothing delivers them. Within its lease the sweeper leaves it alone.
    expect((await sweep()).filter((m) => m.eval_id === created.id)).toEqual([]);
    advanceClock(11 * 60_000);
    const requeued = (await sweep()).filter((m) => m.eval_id === created.id);
    expect(requeued.length).toBe(created.progress.tasks_total);
    await deliver(QUEUES.eval, requeued);
    expect((await api(`/api/evals/${created.id}`, { key: t.key })).body.status).toBe("completed");
  });

  it("lists evals newest first and deletes one with its files", async () => {
    const list = await api("/api/evals?limit=2", { key: t.key });
    expect(list.status).toBe(200);
    expect(list.body.object).toBe("list");
    const id = list.body.data[0].id;
    const del = await api(`/api/evals/${id}`, { method: "DELETE", key: t.key });
    expect(del.body).toEqual({ id, object: "eval", deleted: true });
    expect((await api(`/api/evals/${id}`, { key: t.key })).status).toBe(404);
    expect(await bindings.DATA.get(`tenants/${t.id}/evals/${id}/report.json`)).toBeNull();
  });
});

/** Runs the cron trigger with the eval queue recorded (tests run no consumers); answers what it queued. */
async function sweep(): Promise<any[]> {
  const sent: any[] = [];
  const queue = { send: async (b: unknown) => void sent.push(b), sendBatch: async (ms: Iterable<{ body: unknown }>) => void sent.push(...[...ms].map((m) => m.body)) };
  const env = { ...bindings, EVAL_QUEUE: queue as unknown as Queue } as Bindings;
  const ctx = createExecutionContext();
  await runScheduled(createScheduledController({ scheduledTime: Date.now(), cron: "*/15 * * * *" }), env, ctx);
  await waitOnExecutionContext(ctx);
  return sent;
}
