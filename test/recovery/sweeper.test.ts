import { createExecutionContext, createScheduledController, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { runScheduled } from "../../src/cron/scheduled";
import { openTenant } from "../../src/durable/tenant";
import { failedOutcome } from "../../src/durable/tenant/generation";
import type { Bindings } from "../../src/env";
import { advanceClock, nowIso } from "../../src/lib/clock";
import { QUEUES } from "../../src/queues/messages";
import { sampleDoc } from "../fixtures/samples";
import { ADMIN_TOKEN, api, bindings, createTenant } from "../helpers/api";
import { drainDataset, generatedDataset } from "../helpers/datasets";
import { exampleLines } from "../helpers/jobs";
import { deliver } from "../helpers/queues";

/** Past every in-flight lease (10 min) and every label step's lease (5 min). */
const PAST_LEASES_MS = 11 * 60_000;

/** A queue producer that keeps what is sent, so a test sees what the sweeper queued (tests run no queue consumers). */
function recordingQueue() {
  const sent: any[] = [];
  const queue = {
    send: async (body: unknown) => void sent.push(body),
    sendBatch: async (messages: Iterable<{ body: unknown }>) => void sent.push(...[...messages].map((m) => m.body)),
  };
  return { sent, queue: queue as unknown as Queue };
}

/** Runs the cron trigger as the platform would, with the queues recorded; answers what it queued. */
async function cron() {
  const label = recordingQueue();
  const ingest = recordingQueue();
  const env = { ...bindings, LABEL_QUEUE: label.queue, INGEST_QUEUE: ingest.queue } as Bindings;
  const ctx = createExecutionContext();
  await runScheduled(createScheduledController({ scheduledTime: Date.now(), cron: "*/15 * * * *" }), env, ctx);
  await waitOnExecutionContext(ctx);
  return { label: label.sent, ingest: ingest.sent };
}

describe("the sweeper: nothing stays stuck", () => {
  it("re-queues a labeling dataset's lost messages once its lease lapses, and the dataset then finishes", async () => {
    // Questions generated, their label messages lost (never delivered): the dataset stays labeling.
    const { t, base, labels } = await generatedDataset({ questions_per_chunk: 3 });
    expect((await api(`/api/datasets/${base.dataset_id}`, { key: t.key })).body).toMatchObject({ status: "labeling", stalled: false });

    // Within its lease the work may still be alive: nothing is re-queued.
    expect((await cron()).label.filter((m) => m.dataset_id === base.dataset_id)).toEqual([]);

    advanceClock(PAST_LEASES_MS);
    expect((await api(`/api/datasets/${base.dataset_id}`, { key: t.key })).body).toMatchObject({ status: "labeling", stalled: true });
    const requeued = (await cron()).label.filter((m) => m.dataset_id === base.dataset_id);
    expect(requeued.map((m) => m.question_id).sort()).toEqual(labels.map((l) => l.question_id).sort());
    expect(requeued.every((m) => m.type === "dataset.label" && m.tenant_id === t.id)).toBe(true);
    // Taken with a fresh lease: a second run right after queues nothing twice.
    expect((await cron()).label.filter((m) => m.dataset_id === base.dataset_id)).toEqual([]);

    await deliver(QUEUES.label, requeued);
    const done = (await api(`/api/datasets/${base.dataset_id}`, { key: t.key })).body;
    expect(done).toMatchObject({ status: "ready", stalled: false, latest_snapshot: { status: "ready" } });
    expect(done.counts.by_status.pending).toBe(0);

    const report = (await api("/admin/sweeper", { key: ADMIN_TOKEN })).body.last_run;
    expect(report.kinds["dataset.generation"]).toMatchObject({ found: expect.any(Number), resumed: expect.any(Number) });
    expect(report.tenants).toBeGreaterThan(0);
  });

  it("writes the files of a dataset left `writing` by a consumer that died before writing them", async () => {
    const { t, base, labels } = await generatedDataset({ questions_per_chunk: 1 });
    using tenant = openTenant(bindings, t.id);
    const step = { holder: "m-died", message: labels[0]! };
    await tenant.generation.begin([step], { max: 4, ttlMs: 60_000 });
    // The last step's finish claims the files for its caller, which then dies.
    expect(await tenant.generation.finishLabel(step, failedOutcome("test"), [])).toEqual({ finalize: true });
    expect((await api(`/api/datasets/${base.dataset_id}`, { key: t.key })).body.status).toBe("writing");

    advanceClock(PAST_LEASES_MS);
    await cron();
    const done = (await api(`/api/datasets/${base.dataset_id}`, { key: t.key })).body;
    expect(done).toMatchObject({ status: "ready", latest_snapshot: { status: "ready", version: 1 } });
    expect((await api(`/api/datasets/${base.dataset_id}/files/train`, { key: t.key })).status).toBe(200);
  });

  it("never lets a dead writer's claim block the freeze that repairs it", async () => {
    const { key, id: tenantId } = await createTenant();
    const created = await api("/api/datasets", { method: "POST", key, json: { name: "claimed", eval_fraction: 0.25 } });
    const id = created.body.id as string;
    await api(`/api/datasets/${id}/import`, { method: "POST", key, headers: { "Content-Type": "application/x-ndjson" }, body: exampleLines(12) });
    // A freeze claims the snapshot's write, then its request dies.
    using tenant = openTenant(bindings, tenantId);
    const claim = await tenant.datasets.freeze(id);
    expect(claim).toMatchObject({ claimed: true, snapshot: { status: "writing" } });

    // While its writer may be alive, a second freeze says so (and writes nothing).
    const busy = await api(`/api/datasets/${id}/freeze`, { method: "POST", key });
    expect(busy.status).toBe(409);
    expect(busy.body.error.details).toMatchObject({ snapshot: claim.snapshot.id, status: "writing" });

    advanceClock(PAST_LEASES_MS);
    const frozen = await api(`/api/datasets/${id}/freeze`, { method: "POST", key });
    expect(frozen.status).toBe(200);
    expect(frozen.body).toMatchObject({ id: claim.snapshot.id, status: "ready" });
    expect(frozen.body.files.train.lines + frozen.body.files.eval.lines).toBe(12);
  });

  it("re-queues a document whose ingest message was lost, and gives up on one lost again and again", async () => {
    const t = await createTenant();
    const doc = await api("/api/documents", { method: "POST", key: t.key, json: { title: "Harbour", text: sampleDoc("kestrel-bay-harbour-notes.md") } });
    const id = doc.body.document.id as string;
    // The upload's message went to a queue nobody consumes here: the document stays pending.
    for (let recovery = 1; recovery <= 3; recovery++) {
      advanceClock(PAST_LEASES_MS);
      expect((await api(`/api/documents/${id}`, { key: t.key })).body).toMatchObject({ status: "pending", stalled: true });
      const { ingest } = await cron();
      expect(ingest.filter((m) => m.document_id === id)).toEqual([{ type: "ingest.document", tenant_id: t.id, document_id: id, request_id: expect.any(String) }]);
    }
    advanceClock(PAST_LEASES_MS);
    const { ingest } = await cron();
    expect(ingest.filter((m) => m.document_id === id)).toEqual([]);
    const failed = (await api(`/api/documents/${id}`, { key: t.key })).body;
    expect(failed).toMatchObject({ status: "failed", stalled: false, error: { code: "abandoned" } });

    // The user retries it: pending again, with its original kept, and it ingests.
    const retried = await api(`/api/documents/${id}/retry`, { method: "POST", key: t.key, headers: { "Idempotency-Key": `retry-${id}` } });
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ id, status: "pending", error: null });
    await deliver(QUEUES.ingest, [{ type: "ingest.document", tenant_id: t.id, document_id: id, request_id: "retry" }]);
    expect((await api(`/api/documents/${id}`, { key: t.key })).body.status).toBe("ready");
    const again = await api(`/api/documents/${id}/retry`, { method: "POST", key: t.key });
    expect(again.status).toBe(409);
  });

  it("records failed a job whose start was lost after the index claimed it", async () => {
    const t = await createTenant();
    using tenant = openTenant(bindings, t.id);
    const at = nowIso();
    const job = { id: `ftj_lost${t.id.slice(3)}`, provider: "together", provider_job_id: null, dataset_id: null, base_model: "m", state: "created", fine_tuned_model: null, created_at: at, updated_at: at };
    await tenant.jobs.claim(job);
    await cron();
    expect((await tenant.jobs.get(job.id)).state).toBe("created");
    advanceClock(PAST_LEASES_MS);
    await cron();
    expect((await tenant.jobs.get(job.id)).state).toBe("failed");
  });

  it("marks ready a dataset left writing whose snapshot was written all the same", async () => {
    const { t, base } = await generatedDataset({ questions_per_chunk: 1 });
    const done = await drainDataset(t, base.dataset_id);
    expect(done.status).toBe("ready");
    // Its snapshot is written, yet the dataset says writing (a failure recorded, then retried, meanwhile).
    await runInDurableObject(bindings.TENANT.get(bindings.TENANT.idFromName(t.id)), (_o, state) => {
      state.storage.sql.exec("UPDATE datasets SET status = 'writing', lease_until = 0 WHERE id = ?", base.dataset_id);
    });
    await cron();
    const after = (await api(`/api/datasets/${base.dataset_id}`, { key: t.key })).body;
    expect(after).toMatchObject({ status: "ready", latest_snapshot: { id: done.latest_snapshot.id, version: 1 } });
  });
});
