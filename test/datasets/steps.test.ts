import { describe, expect, it } from "vitest";
import { cleanQuestions, generateQuestions, normalizeQuestion } from "../../src/datasets/questions";
import { loadCatalog, resolveModel } from "../../src/llm";
import { qualityProblem } from "../../src/datasets/filters";
import { openTenant } from "../../src/durable/tenant";
import { QUEUES } from "../../src/queues/messages";
import { api, bindings, createTenant } from "../helpers/api";
import { drainDataset } from "../helpers/datasets";
import { configureRun, runStats, uniqueRun } from "../helpers/emulator";
import { deliver, ingestNow } from "../helpers/queues";
import { sampleDoc } from "../fixtures/samples";
import { CITATIONS_SCHEMA, citationsProgram } from "../programs/fixtures";

async function setup(text = sampleDoc("kestrel-bay-harbour-notes.md")) {
  const t = await createTenant();
  const doc = await api("/api/documents", { method: "POST", key: t.key, json: { title: "Harbour", text } });
  await ingestNow(t.id, doc.body.document.id);
  await api("/api/programs", { method: "POST", key: t.key, json: citationsProgram("tools", "citations") });
  return t;
}

describe("question generation", () => {
  it("keeps exactly questions_per_chunk from a chatty model that lists too many", () => {
    const raw = ["1. What is a harbour?", "2) What is a tide?", "- What is a mooring?", "  ", "What is a tide?"];
    expect(cleanQuestions(raw, 2)).toEqual(["What is a harbour?", "What is a tide?"]);
    expect(cleanQuestions(raw, 10)).toEqual(["What is a harbour?", "What is a tide?", "What is a mooring?"]);
  });

  it("normalises questions for deduplication", () => {
    expect(normalizeQuestion("  What IS the Tide?? ")).toBe(normalizeQuestion("what is the tide"));
  });

  it("keeps exactly questions_per_chunk when the teacher returns the wrong number", async () => {
    const run = uniqueRun("wrongcount");
    await configureRun(run, { script: [{ action: "wrong_count", times: 3 }] });
    const model = resolveModel(loadCatalog(bindings), loadCatalog(bindings).defaults.teacher);
    const chunk = { id: "c1", title: "Harbour", text: sampleDoc("kestrel-bay-harbour-notes.md") };
    for (const n of [1, 2, 3]) {
      const out = await generateQuestions(bindings, { datasetId: "d", chunk, n, prompt: null, evalFraction: 0.2, model, requestId: `${run}:${n}`, onCall: () => {} });
      expect(out.questions).toHaveLength(n);
    }
    expect((await runStats(run)).script_consumed.wrong_count).toBe(3);
  });

  it("keeps exactly questions_per_chunk per chunk when the teacher answers with a preamble or a wrong count", async () => {
    const t = await createTenant();
    // Small chunks: several question-generation calls, so each misbehaviour below gets its own.
    const doc = await api("/api/documents", {
      method: "POST",
      key: t.key,
      json: { title: "Harbour", text: sampleDoc("kestrel-bay-harbour-notes.md"), chunk_size: 256, chunk_overlap: 0 },
    });
    await ingestNow(t.id, doc.body.document.id);
    const chunks = (await api(`/api/documents/${doc.body.document.id}`, { key: t.key })).body.chunk_count as number;
    expect(chunks).toBeGreaterThanOrEqual(3);
    await api("/api/programs", { method: "POST", key: t.key, json: citationsProgram("tools", "citations") });
    const run = uniqueRun("chatty");
    const generation = "generate_questions"; // the question-generation tool: labeling calls are left alone
    await configureRun(run, {
      script: [
        { action: "wrong_count", times: 2, match: generation },
        { action: "chatty_preamble", times: chunks - 2, match: generation },
      ],
    });
    const created = await api("/api/datasets", {
      method: "POST",
      key: t.key,
      headers: { "X-Request-Id": `${run}:create` },
      json: { name: "chatty", program: "citations", questions_per_chunk: 2 },
    });
    const done = await drainDataset(t, created.body.id, { requestId: `${run}:drain` });
    expect(done.status).toBe("ready");
    expect((await runStats(run)).script_consumed).toEqual({ wrong_count: 2, chatty_preamble: chunks - 2 });
    expect(done.progress.tasks).toEqual({ pending: 0, done: chunks, failed: 0 });
    expect(done.counts.rows).toBe(2 * chunks);
  });
});

describe("labeling: filters, idempotency, budget, dead letters", () => {
  it("records a no-context answer as rejected with its reason", async () => {
    expect(qualityProblem({ citations: [] }, CITATIONS_SCHEMA)).toBe("no_context");
    expect(qualityProblem({ citations: [{ author: " ", year: 2020, desc: "x" }] }, CITATIONS_SCHEMA)).toBe("empty_required_field");
    expect(qualityProblem({ citations: [{ author: "Lin", year: 2021, desc: "TruthfulQA" }] }, CITATIONS_SCHEMA)).toBeNull();

    const t = await setup();
    const run = uniqueRun("noctx");
    await configureRun(run, { script: [{ action: "no_context", times: 100, match: "Context information" }] });
    const created = await api("/api/datasets", { method: "POST", key: t.key, headers: { "X-Request-Id": `${run}:c` }, json: { name: "n", program: "citations" } });
    const done = await drainDataset(t, created.body.id, { requestId: `${run}:d` });
    expect(done.counts.rejected_by_reason.no_context).toBeGreaterThan(0);
    const rows = await api(`/api/datasets/${created.body.id}/rows?status=rejected`, { key: t.key });
    expect(rows.body.data[0].reason).toBe("no_context");
  });

  it("records an answer the program cannot make valid as rejected invalid_output", async () => {
    const t = await setup();
    const run = uniqueRun("invalid");
    // Every labeling call answers broken JSON, the repair turn included.
    await configureRun(run, { script: [{ action: "invalid_json", times: 100, match: "Context information" }] });
    const created = await api("/api/datasets", { method: "POST", key: t.key, headers: { "X-Request-Id": `${run}:c` }, json: { name: "inv", program: "citations" } });
    const done = await drainDataset(t, created.body.id, { requestId: `${run}:d` });
    expect(done.status).toBe("ready");
    expect(done.counts.rejected_by_reason.invalid_output).toBe(done.counts.rows - (done.counts.rejected_by_reason.duplicate_question ?? 0));
    expect(done.counts.by_status.labeled).toBe(0);
    expect(done.progress.cost_usd).toBeGreaterThan(0); // the failed calls were paid for, and counted
  });

  it("adds nothing when a label message is delivered twice", async () => {
    const t = await setup();
    const created = await api("/api/datasets", { method: "POST", key: t.key, json: { name: "twice", program: "citations" } });
    const done = await drainDataset(t, created.body.id);
    const rows = (await api(`/api/datasets/${created.body.id}/rows`, { key: t.key })).body.data;
    const again = await deliver(
      QUEUES.label,
      rows.map((r: { id: string }) => ({ type: "dataset.label", tenant_id: t.id, request_id: "again", dataset_id: created.body.id, question_id: r.id })),
    );
    expect(again.explicitAcks).toHaveLength(rows.length);
    const after = (await api(`/api/datasets/${created.body.id}`, { key: t.key })).body;
    expect(after.counts).toEqual(done.counts);
    expect(after.progress.cost_usd).toBe(done.progress.cost_usd);
  });

  it("stops labeling at max_cost_usd and says so", async () => {
    const t = await setup(sampleDoc("field-guide.md"));
    const created = await api("/api/datasets", { method: "POST", key: t.key, json: { name: "cheap", program: "citations", max_cost_usd: 0.01 } });
    const done = await drainDataset(t, created.body.id, { maxRounds: 100 });
    expect(done.error).toMatch(/max_cost_usd/);
    expect(done.counts.by_status.failed + done.progress.tasks.failed).toBeGreaterThan(0);
    expect(done.progress.cost_usd).toBeLessThan(0.05);
  });

  it("records a question failed with the last error when its message reaches the dead-letter queue", async () => {
    const t = await setup();
    const created = await api("/api/datasets", { method: "POST", key: t.key, json: { name: "dlq", program: "citations" } });
    using tenant = openTenant(bindings, t.id);
    // Generate only (label nothing): one round of the chunk tasks.
    const work = await tenant.generation.pending(created.body.id, 50);
    await deliver(QUEUES.label, work.chunks.map((chunk_id) => ({ type: "dataset.generate", tenant_id: t.id, request_id: "g", dataset_id: created.body.id, chunk_id })));
    const { questions } = await tenant.generation.pending(created.body.id, 50);
    const message = { type: "dataset.label" as const, tenant_id: t.id, request_id: "d", dataset_id: created.body.id, question_id: questions[0]! };
    // One retryable failure on record, as a rate-limited attempt leaves it.
    await tenant.generation.failStep({ holder: "attempt-1", message }, { error: "rate_limited: slow down", retryable: true }, { cost_usd: 0, usage: [] });
    await deliver("distillery-label-dlq", [message], 13);
    const rows = (await api(`/api/datasets/${created.body.id}/rows?status=failed`, { key: t.key })).body.data;
    expect(rows).toHaveLength(1);
    expect(rows[0].reason).toBe("gave_up: rate_limited: slow down");
  });
});
