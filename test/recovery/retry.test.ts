import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { runScheduled } from "../../src/cron/scheduled";
import type { Bindings } from "../../src/env";
import { advanceClock } from "../../src/lib/clock";
import { sampleDoc } from "../fixtures/samples";
import { api, bindings, createTenant } from "../helpers/api";
import { drainDataset } from "../helpers/datasets";
import { deliver, ingestNow } from "../helpers/queues";
import { citationsProgram } from "../programs/fixtures";

const PAST_LEASES_MS = 11 * 60_000;

/** The cron trigger with its queue sends dropped (lost, as a crash loses them). */
async function cronLosingMessages() {
  const lost = { send: async () => {}, sendBatch: async () => {} } as unknown as Queue;
  const ctx = createExecutionContext();
  await runScheduled(createScheduledController({ scheduledTime: Date.now(), cron: "*/15 * * * *" }), { ...bindings, LABEL_QUEUE: lost, INGEST_QUEUE: lost } as Bindings, ctx);
  await waitOnExecutionContext(ctx);
}

describe("retry, and replays that say what became of the work", () => {
  it("answers a replayed 202 whose work stalled or failed with what became of it, and retries the failed dataset", async () => {
    const t = await createTenant();
    const doc = await api("/api/documents", { method: "POST", key: t.key, json: { title: "Harbour", text: sampleDoc("kestrel-bay-harbour-notes.md") } });
    await ingestNow(t.id, doc.body.document.id);
    await api("/api/programs", { method: "POST", key: t.key, json: citationsProgram("tools", "citations") });
    const create = () =>
      api("/api/datasets", {
        method: "POST",
        key: t.key,
        headers: { "Idempotency-Key": `create-${t.id}` },
        json: { name: "stuck", program: "citations", questions_per_chunk: 1 },
      });
    const created = await create();
    expect(created.status).toBe(202);
    const id = created.body.id as string;
    // While the work is alive, a repeat replays the 202.
    const replayed = await create();
    expect(replayed.status).toBe(202);
    expect(replayed.headers.get("Idempotent-Replayed")).toBe("true");

    // Its messages were lost: past its lease it has stalled, and the replay says so.
    advanceClock(PAST_LEASES_MS);
    const stalled = await create();
    expect(stalled.status).toBe(409);
    expect(stalled.body.error.details).toMatchObject({ dataset: id, status: "generating", stalled: true });
    expect(stalled.body.error.message).toContain("stalled");

    // Lost three times over: the sweeper gives up and records why.
    for (let i = 0; i < 3; i++) {
      await cronLosingMessages();
      advanceClock(PAST_LEASES_MS);
    }
    await cronLosingMessages();
    const failed = (await api(`/api/datasets/${id}`, { key: t.key })).body;
    expect(failed).toMatchObject({ status: "failed", stalled: false });
    expect(failed.error).toMatch(/abandoned/);
    const told = await create();
    expect(told.status).toBe(409);
    expect(told.body.error.message).toContain(`POST /api/datasets/${id}/retry`);
    expect(told.body.error.details).toMatchObject({ dataset: id, status: "failed" });

    // The user retries it: its work is queued again and it finishes.
    const retried = await api(`/api/datasets/${id}/retry`, { method: "POST", key: t.key, headers: { "Idempotency-Key": `retry-${id}` } });
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ id, status: "generating", error: null });
    const done = await drainDataset(t, id);
    expect(done).toMatchObject({ status: "ready", latest_snapshot: { status: "ready" } });
    expect(done.counts.by_status.labeled).toBeGreaterThan(0);

    const notFailed = await api(`/api/datasets/${id}/retry`, { method: "POST", key: t.key });
    expect(notFailed.status).toBe(409);
    expect(notFailed.body.error.details).toMatchObject({ status: "ready" });
  });

  it("refuses to retry a document whose original is gone with 409 saying to upload it again", async () => {
    const t = await createTenant();
    const doc = await api("/api/documents", { method: "POST", key: t.key, json: { title: "Gone", text: "Kestrel Bay has two piers." } });
    const id = doc.body.document.id as string;
    // A failure that is the content's (here: its original missing) is final and keeps nothing to ingest again.
    await bindings.DATA.delete(`tenants/${t.id}/documents/${id}/original`);
    await ingestNow(t.id, id);
    expect((await api(`/api/documents/${id}`, { key: t.key })).body.status).toBe("failed");
    const res = await api(`/api/documents/${id}/retry`, { method: "POST", key: t.key });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toContain("upload it again");
    expect((await api(`/api/documents/${id}`, { key: t.key })).body.status).toBe("failed");
  });

  it("keeps the original of a document whose ingestion was interrupted, so a retry ingests it", async () => {
    const t = await createTenant();
    const doc = await api("/api/documents", { method: "POST", key: t.key, json: { title: "Harbour", text: sampleDoc("kestrel-bay-harbour-notes.md") } });
    const id = doc.body.document.id as string;
    // Every delivery of its ingestion was stopped without an answer (the dead-letter queue's record).
    await deliver("distillery-ingest-dlq", [{ type: "ingest.document", tenant_id: t.id, document_id: id, request_id: "gave-up" }]);
    expect((await api(`/api/documents/${id}`, { key: t.key })).body).toMatchObject({ status: "failed", error: { code: "interrupted" } });
    const retried = await api(`/api/documents/${id}/retry`, { method: "POST", key: t.key });
    expect(retried.status).toBe(202);
    await ingestNow(t.id, id);
    expect((await api(`/api/documents/${id}`, { key: t.key })).body).toMatchObject({ status: "ready", error: null });
    const hits = await api("/api/retrieve", { method: "POST", key: t.key, json: { query: "harbour", top_k: 1 } });
    // Its chunks were embedded again: retrieval finds them.
    expect(hits.body.data).toHaveLength(1);
    expect(JSON.stringify(hits.body.data[0])).toContain(id);
  });
});
