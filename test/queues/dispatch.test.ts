import { createExecutionContext, createMessageBatch, getQueueResult, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { openTenant } from "../../src/durable/tenant";
import { lastError } from "../../src/durable/tenant/generation";
import { dispatchQueue } from "../../src/queues/dispatch";
import type { GenerateMessage } from "../../src/queues/messages";
import { sampleDoc } from "../fixtures/samples";
import { api, bindings, createTenant } from "../helpers/api";
import { ingestNow } from "../helpers/queues";
import { citationsProgram } from "../programs/fixtures";

/** A tenant with one ingested document, a program and a dataset whose chunk tasks are all pending. */
async function datasetWithPendingChunks() {
  const t = await createTenant();
  const doc = await api("/api/documents", { method: "POST", key: t.key, json: { title: "Harbour", text: sampleDoc("kestrel-bay-harbour-notes.md") } });
  await ingestNow(t.id, doc.body.document.id);
  await api("/api/programs", { method: "POST", key: t.key, json: citationsProgram("tools", "citations") });
  const created = await api("/api/datasets", { method: "POST", key: t.key, json: { name: "dlq", program: "citations" } });
  expect(created.status, created.text).toBe(202);
  using tenant = openTenant(bindings, t.id);
  const { chunks } = await tenant.generation.pending(created.body.id, 50);
  expect(chunks.length).toBeGreaterThan(0);
  return { t, datasetId: created.body.id as string, chunks };
}

describe("queue dispatch", () => {
  it("records a question-generation task that reached the dead-letter queue as failed with its last error, and acknowledges it", async () => {
    const { t, datasetId, chunks } = await datasetWithPendingChunks();
    using tenant = openTenant(bindings, t.id);
    const chunkId = chunks[0]!;
    const body: GenerateMessage = { type: "dataset.generate", tenant_id: t.id, request_id: "dlq-test", dataset_id: datasetId, chunk_id: chunkId };
    // One retryable failure on record, as an attempt during an outage leaves it.
    await tenant.generation.failStep({ holder: "attempt-1", message: body }, { error: "upstream_unavailable: the teacher is down", retryable: true }, { cost_usd: 0, usage: [] });
    const before = (await api(`/api/datasets/${datasetId}`, { key: t.key })).body.progress.tasks;

    const batch = createMessageBatch("distillery-label-dlq", [{ id: "m1", timestamp: new Date(), attempts: 13, body }]);
    const ctx = createExecutionContext();
    await dispatchQueue(batch, bindings, ctx);
    const result = await getQueueResult(batch, ctx);

    expect(result).toMatchObject({ explicitAcks: ["m1"], retryMessages: [], retryBatch: { retry: false } });
    const recorded = await runInDurableObject(bindings.TENANT.get(bindings.TENANT.idFromName(t.id)), (_o, state) => lastError(state.storage.sql, datasetId, chunkId));
    expect(recorded).toBe("gave_up: upstream_unavailable: the teacher is down");
    const after = (await api(`/api/datasets/${datasetId}`, { key: t.key })).body.progress.tasks;
    expect(after).toEqual({ pending: before.pending - 1, done: before.done, failed: before.failed + 1 });
  });

  it("retries a batch from a queue it does not know", async () => {
    const batch = createMessageBatch("mystery", [{ id: "m2", timestamp: new Date(), attempts: 1, body: {} }]);
    const ctx = createExecutionContext();
    await dispatchQueue(batch, bindings, ctx);
    expect((await getQueueResult(batch, ctx)).retryBatch.retry).toBe(true);
  });
});
