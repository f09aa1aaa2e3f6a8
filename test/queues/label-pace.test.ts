import { createExecutionContext, createMessageBatch, getQueueResult, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { acquireLeases } from "../../src/durable/tenant/leases";
import { nowMs } from "../../src/lib/clock";
import type { Bindings } from "../../src/env";
import { consumeLabelWith } from "../../src/queues/label";
import { QUEUES, type LabelMessage } from "../../src/queues/messages";
import { api, bindings } from "../helpers/api";
import { generatedDataset } from "../helpers/datasets";
import { emulatorFetch } from "../helpers/emulator";

let seq = 0;
const batchOf = (bodies: unknown[], attempts: number) =>
  createMessageBatch(QUEUES.label, bodies.map((body) => ({ id: `pace-${++seq}`, timestamp: new Date(), attempts, body })));

/** A queue that records what is sent to it. */
function recordingQueue() {
  const sent: Array<{ body: unknown; delaySeconds?: number }> = [];
  const queue = {
    send: async (body: unknown, opts?: { delaySeconds?: number }) => void sent.push({ body, ...opts }),
    sendBatch: async (msgs: Iterable<{ body: unknown; delaySeconds?: number }>) => void sent.push(...msgs),
  } as unknown as Queue;
  return { sent, queue };
}

afterEach(() => vi.restoreAllMocks());

describe("label steps at the provider's pace", () => {
  it("sends a step waiting for a slot back delayed, acked and not retried, however many times it was delivered", async () => {
    const { t, labels } = await generatedDataset();
    // Every one of the tenant's slots is taken (by steps that will not finish soon).
    const stub = bindings.TENANT.get(bindings.TENANT.idFromName(t.id));
    await runInDurableObject(stub, (_o, state) => {
      acquireLeases(state.storage.sql, "label", Array.from({ length: 64 }, (_, i) => `other-${i}`), 64, 10 * 60_000, nowMs());
    });
    const labelQueue = recordingQueue();
    const dlq = recordingQueue();
    const env = { ...bindings, LABEL_QUEUE: labelQueue.queue, LABEL_DLQ: dlq.queue } as Bindings;
    // Delivered as often as the queue's max_retries allows: one more retry would dead-letter it.
    const waiting = labels.slice(0, 3).map((m) => ({ ...m, waits: 7 }));
    const batch = batchOf(waiting, 20);
    const ctx = createExecutionContext();
    await consumeLabelWith(batch, env, { leaseWaitMs: 0 });
    const result = await getQueueResult(batch, ctx);
    expect(result.retryMessages).toEqual([]);
    expect(result.explicitAcks.sort()).toEqual(batch.messages.map((m) => m.id).sort());
    expect(dlq.sent).toEqual([]);
    expect(labelQueue.sent).toEqual(waiting.map((m) => ({ body: { ...m, waits: 8 }, delaySeconds: expect.any(Number) })));
    // Nothing was attempted: the rows are pending with no attempt counted.
    const rows = (await api(`/api/datasets/${labels[0]!.dataset_id}/rows?status=pending&limit=500`, { key: t.key })).body.data as Array<{ id: string }>;
    for (const m of waiting) expect(rows.map((r) => r.id)).toContain(m.question_id);
  });

  it("retries a step whose chat call got a 429 without embedding its question again", async () => {
    const { t, labels } = await generatedDataset();
    const message: LabelMessage = labels[0]!;
    // The provider, reached at a base URL: the first chat completion is refused (429), the rest pass.
    const calls = { embeddings: 0, chat: 0 };
    let refuse = true;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
      if (url.pathname.endsWith("/embeddings")) calls.embeddings++;
      if (url.pathname.endsWith("/chat/completions")) {
        calls.chat++;
        if (refuse) {
          refuse = false;
          return Response.json({ error: { message: "Rate limit reached", type: "requests", code: "rate_limit_exceeded" } }, { status: 429, headers: { "retry-after-ms": "10" } });
        }
      }
      return emulatorFetch(`http://local-openai${url.pathname}${url.search}`, init);
    });
    const env = { ...bindings, OPENAI_BASE_URL: "https://provider.test/v1", OPENAI_API_KEY: "sk-test" } as Bindings;

    const first = batchOf([message], 1);
    const ctx1 = createExecutionContext();
    await consumeLabelWith(first, env, {});
    expect((await getQueueResult(first, ctx1)).retryMessages).toHaveLength(1);
    expect(calls).toEqual({ embeddings: 1, chat: 1 });

    const second = batchOf([message], 2);
    const ctx2 = createExecutionContext();
    await consumeLabelWith(second, env, {});
    expect((await getQueueResult(second, ctx2)).explicitAcks).toHaveLength(1);
    // The retry answered from the kept retrieval: still one embedding, one more chat call.
    expect(calls.embeddings).toBe(1);
    expect(calls.chat).toBeGreaterThanOrEqual(2);
    const row = (await api(`/api/datasets/${message.dataset_id}/rows?limit=500`, { key: t.key })).body.data.find((r: { id: string }) => r.id === message.question_id);
    expect(["labeled", "rejected"]).toContain(row.status);
    expect(row.chunk_ids?.length ?? 0).toBeGreaterThan(0);
  });
});
