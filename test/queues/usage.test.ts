import { createExecutionContext, createMessageBatch, getQueueResult, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Tenant } from "../../src/durable/tenant";
import { advanceClock, today } from "../../src/lib/clock";
import { QUEUES, type UsageQueueMessage } from "../../src/queues/messages";
import { consumeUsage } from "../../src/queues/usage";
import { consumeDeadLetters } from "../../src/queues/dead-letter";
import { recordIntake } from "../../src/serving/capture";
import { queueUsage, setUsageSender } from "../../src/usage/queue";
import { loadCatalog } from "../../src/llm";
import { api, bindings, createTenant } from "../helpers/api";
import { deliver } from "../helpers/queues";
import { captureUsage, flushUsage, pendingUsage } from "../helpers/usage";

const retrieveOnce = (key: string) => api("/api/retrieve", { method: "POST", key, json: { query: "what is a starter?" } });
const totals = async (key: string) => (await api("/api/usage", { key })).body.totals;
const writesOf = (tenantId: string) =>
  runInDurableObject(bindings.TENANT.get(bindings.TENANT.idFromName(tenantId)), (t: Tenant) => (t.trips.byMethod.get("usage.intake") ?? 0) + (t.trips.byMethod.get("usage.recordEvents") ?? 0));

describe("usage through the queue", () => {
  it("reaches the tenant's usage when its batch is delivered, and once however often it is redelivered", async () => {
    const t = await createTenant();
    expect((await retrieveOnce(t.key)).status).toBe(200);
    // The request made no write of its own: its usage is a message.
    expect(pendingUsage(t.id)).toEqual([expect.objectContaining({ type: "usage.record", tenant_id: t.id, entries: [expect.objectContaining({ kind: "embedding" })] })]);
    expect((await totals(t.key)).calls).toBe(0);
    const messages = pendingUsage(t.id);
    expect(await flushUsage(t.id)).toMatchObject({ explicitAcks: [expect.any(String)], retryMessages: [] });
    const once = await totals(t.key);
    expect(once.calls).toBe(1);
    expect(once.prompt_tokens).toBeGreaterThan(0);
    // Redelivered (at-least-once), twice: nothing changes.
    await deliver(QUEUES.usage, messages, 2);
    await deliver(QUEUES.usage, [...messages, ...messages], 3);
    expect(await totals(t.key)).toEqual(once);
  });

  it("writes a batch to each tenant's object in one call", async () => {
    const a = await createTenant("a");
    const b = await createTenant("b");
    for (let i = 0; i < 3; i++) await retrieveOnce(a.key);
    for (let i = 0; i < 2; i++) await retrieveOnce(b.key);
    const batch = [...pendingUsage(a.id), ...pendingUsage(b.id)];
    expect(batch).toHaveLength(5);
    const before = [await writesOf(a.id), await writesOf(b.id)];
    const result = await deliver(QUEUES.usage, batch);
    expect(result.explicitAcks).toHaveLength(5);
    expect([await writesOf(a.id), await writesOf(b.id)]).toEqual([before[0]! + 1, before[1]! + 1]);
    expect((await totals(a.key)).calls).toBe(3);
    expect((await totals(b.key)).calls).toBe(2);
    await flushUsage(a.id);
    await flushUsage(b.id);
    expect((await totals(a.key)).calls).toBe(3);
  });

  it("retries only the messages of a tenant whose write failed, and their retry records them once", async () => {
    const a = await createTenant("a");
    const b = await createTenant("b");
    await retrieveOnce(a.key);
    await retrieveOnce(b.key);
    const bodies = [...pendingUsage(a.id), ...pendingUsage(b.id)];
    const batch = createMessageBatch(QUEUES.usage, bodies.map((body, i) => ({ id: `u${i}`, timestamp: new Date(), attempts: 1, body })));
    const ctx = createExecutionContext();
    await consumeUsage(batch, bindings, async (env, tenantId, events, captures) => {
      if (tenantId === b.id) throw new Error("the object is overloaded");
      await recordIntake(env, tenantId, events, captures);
    });
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual(["u0"]);
    expect(result.retryMessages).toEqual([expect.objectContaining({ msgId: "u1" })]);
    // The platform redelivers both (a batch retried whole, say): each is recorded once.
    await flushUsage(a.id);
    await flushUsage(b.id);
    expect((await totals(a.key)).calls).toBe(1);
    expect((await totals(b.key)).calls).toBe(1);
  });

  it("counts usage on the day the calls were made, not the day the batch arrives", async () => {
    const t = await createTenant();
    await retrieveOnce(t.key);
    const day = today();
    advanceClock(36 * 3_600_000);
    await flushUsage(t.id);
    const usage = await api(`/api/usage?from=${day}`, { key: t.key });
    expect(usage.body.data).toEqual([expect.objectContaining({ day, kind: "embedding", calls: 1 })]);
  });

  it("acknowledges a malformed message without retrying it, and writes nothing for it", async () => {
    const t = await createTenant();
    const bad = { type: "usage.record", tenant_id: t.id, request_id: "r", id: "use_bad", at: "yesterday", entries: [] };
    expect(await deliver(QUEUES.usage, [bad])).toMatchObject({ explicitAcks: [expect.any(String)], retryMessages: [] });
    expect(await writesOf(t.id)).toBe(0);
  });

  it("writes to the tenant's object directly, once, when the queue refuses the message", async () => {
    const t = await createTenant();
    const sent: UsageQueueMessage[] = [];
    setUsageSender(async (_env, ms) => {
      sent.push(...ms);
      throw new Error("queue unavailable");
    });
    try {
      expect((await retrieveOnce(t.key)).status).toBe(200);
    } finally {
      captureUsage();
    }
    expect((await totals(t.key)).calls).toBe(1);
    // Had the send landed after all, its delivery would not count it again.
    await deliver(QUEUES.usage, sent);
    expect((await totals(t.key)).calls).toBe(1);
  });

  it("records a dead-lettered usage message once more directly, and parks one it still cannot write in R2", async () => {
    const t = await createTenant();
    await retrieveOnce(t.key);
    const [message] = pendingUsage(t.id);
    await deliver("distillery-usage-dlq", [message]);
    expect((await totals(t.key)).calls).toBe(1);
    // One whose tenant's object still cannot be reached is kept for an operator, and acknowledged.
    const parkedMessage = { ...message!, id: "use_parked" } as UsageQueueMessage;
    const failing = { ...bindings, TENANT: { idFromName: () => { throw new Error("object unreachable"); } } } as unknown as typeof bindings;
    const batch = createMessageBatch("distillery-usage-dlq", [{ id: "d1", timestamp: new Date(), attempts: 11, body: parkedMessage }]);
    const ctx = createExecutionContext();
    await consumeDeadLetters(batch, failing);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(["d1"]);
    const parked = await bindings.DATA.get(`dead-letters/usage/${t.id}/use_parked.json`);
    expect(await parked?.json()).toMatchObject({ message: { id: "use_parked", tenant_id: t.id }, error: expect.stringContaining("unreachable") });
    await bindings.DATA.delete(`dead-letters/usage/${t.id}/use_parked.json`);
  });

  it("sends a served request's usage with the isolate's other requests' in one batch, after the answer", async () => {
    const t = await createTenant();
    const batches: UsageQueueMessage[][] = [];
    setUsageSender(async (_env, ms) => void batches.push(ms));
    const later: Promise<unknown>[] = [];
    const call = { model: loadCatalog(bindings).byId.get("gpt-6.1-sol")!, kind: "chat" as const, prompt_tokens: 10, completion_tokens: 2 };
    try {
      for (let i = 0; i < 105; i++) await queueUsage(bindings, { tenantId: t.id, requestId: `served-${i}` }, [call], { waitUntil: (p) => later.push(p) });
      // Nothing sent yet: each request answered without waiting for the queue.
      expect(batches).toEqual([]);
      await Promise.all(later);
    } finally {
      captureUsage();
    }
    // 105 messages in two sends (sendBatch takes at most 100).
    expect(batches.map((b) => b.length)).toEqual([100, 5]);
    expect(new Set(batches.flat().map((m) => m.request_id)).size).toBe(105);
  });

  it("writes a refused batch's usage directly, once per tenant", async () => {
    const a = await createTenant("a");
    const b = await createTenant("b");
    setUsageSender(async () => {
      throw new Error("queue unavailable");
    });
    const later: Promise<unknown>[] = [];
    const call = { model: loadCatalog(bindings).byId.get("gpt-6.1-sol")!, kind: "chat" as const, prompt_tokens: 10, completion_tokens: 2 };
    const before = [await writesOf(a.id), await writesOf(b.id)];
    try {
      for (const t of [a, b, a]) await queueUsage(bindings, { tenantId: t.id, requestId: "refused" }, [call], { waitUntil: (p) => later.push(p) });
      await Promise.all(later);
    } finally {
      captureUsage();
    }
    expect([await writesOf(a.id), await writesOf(b.id)]).toEqual([before[0]! + 1, before[1]! + 1]);
    expect((await totals(a.key)).calls).toBe(2);
    expect((await totals(b.key)).calls).toBe(1);
  });
});
