import { runInDurableObject } from "cloudflare:test";
import OpenAI from "openai";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { openTenant, type Tenant } from "../../src/durable/tenant";
import { advanceClock, nowMs } from "../../src/lib/clock";
import type { JobWebhookEvent, WebhookEvent } from "../../src/webhooks/events";
import { api, bindings, createTenant } from "../helpers/api";
import { uniqueRun } from "../helpers/emulator";
import { createJob, driveJob, jobRun, readyDataset, whileOpenAITrains } from "../helpers/jobs";
import { assertNoSecretLeaked, registerSecret } from "../helpers/secrets";
import { type Received, webhookReceiver } from "../helpers/webhooks";
import type { ReceiverAnswer } from "../outbound/protocol";

// One test trains an OpenAI student: it stands on a day OpenAI still took jobs.
whileOpenAITrains();

const openai = new OpenAI({ apiKey: "sk-unused" });
const tenantObject = (tenantId: string) => bindings.TENANT.get(bindings.TENANT.idFromName(tenantId));

/** An endpoint of the tenant's whose deliveries go to a receiver of its own, answering `answers` in turn. */
async function endpointWithReceiver(key: string, events: string[], answers: (number | ReceiverAnswer)[] = [200]) {
  const receiver = await webhookReceiver(answers);
  const res = await api("/api/webhooks", { method: "POST", key, json: { url: receiver.url, events } });
  expect(res.status, res.text).toBe(201);
  assertNoSecretLeaked();
  registerSecret(res.body.secret);
  return { id: res.body.id as string, secret: res.body.secret as string, receiver };
}

async function deliveriesOf(key: string, endpointId: string) {
  const res = await api(`/api/webhooks/${endpointId}/deliveries`, { key });
  expect(res.status, res.text).toBe(200);
  return res.body.data as Array<{ webhook_id: string; event_id: string; attempts: number; delivered_at: number | null; last_error: string | null; gave_up: boolean; next_attempt_at: number | null }>;
}

/**
 * Runs the tenant's alarm until `done` holds for the endpoint's deliveries. The runtime may fire
 * the alarm itself meanwhile (emit arms it for now); a delivery in flight is claimed, so a second
 * run never sends it twice, and this only waits for its outcome to be recorded.
 */
async function settle(t: { id: string; key: string }, endpointId: string, done: (d: Awaited<ReturnType<typeof deliveriesOf>>) => boolean) {
  for (let i = 0; i < 500; i++) {
    const d = await deliveriesOf(t.key, endpointId);
    if (done(d)) return d;
    await runInDurableObject(tenantObject(t.id), (o: Tenant) => o.alarm());
  }
  throw new Error("the deliveries did not settle");
}

function event(type = "fine_tune.job.succeeded"): WebhookEvent<string, unknown> {
  return { id: `evt_test_${crypto.randomUUID()}`, type, created: 1_800_000_000, data: { job: { id: "ftj_test" } } };
}

async function emit(tenantId: string, e: WebhookEvent<string, unknown>) {
  using tenant = openTenant(bindings, tenantId);
  return tenant.webhooks.emit(e);
}

/** Verifies a delivery as a receiver would, with the openai SDK, and returns the event. */
async function unwrap(r: Received, secret: string) {
  return (await openai.webhooks.unwrap(r.body, r.headers, secret)) as unknown as WebhookEvent<string, unknown>;
}

describe("tenant webhook endpoints receive the service's events", () => {
  it("delivers a finished job's event to each subscribed endpoint, verifiable with the openai SDK's webhooks.unwrap()", async () => {
    const t = await createTenant();
    const succeeded = await endpointWithReceiver(t.key, ["fine_tune.job.succeeded"]);
    const everything = await endpointWithReceiver(t.key, ["*"]);
    const failures = await endpointWithReceiver(t.key, ["fine_tune.job.failed"]);
    const run = uniqueRun("outbox");
    await jobRun(run);
    const dataset = await readyDataset(t.key);
    const created = await createJob(t.key, run, { dataset: dataset.id, provider: "openai", base_model: "gpt-4o-mini-2024-07-18" });
    expect(created.status, created.text).toBe(201);
    const { job } = await driveJob(t.id, created.body.id, run);
    expect(job.state).toBe("succeeded");

    for (const endpoint of [succeeded, everything]) {
      const [delivery] = await settle(t, endpoint.id, (d) => d.length === 1 && d[0]!.delivered_at !== null);
      const got = await endpoint.receiver.received();
      expect(got).toHaveLength(1);
      const payload = (await unwrap(got[0]!, endpoint.secret)) as JobWebhookEvent;
      expect(new Webhook(endpoint.secret).verify(got[0]!.body, Object.fromEntries(got[0]!.headers))).toEqual(payload);
      expect(payload).toMatchObject({ id: `evt_${job.id}_succeeded`, type: "fine_tune.job.succeeded", data: { job: { id: job.id, fine_tuned_model: job.fine_tuned_model } } });
      expect(got[0]!.headers.get("webhook-id")).toBe(`${payload.id}_${endpoint.id}`);
      expect(delivery).toMatchObject({ webhook_id: `${payload.id}_${endpoint.id}`, event_id: payload.id, attempts: 1, gave_up: false, next_attempt_at: null });
      // Another endpoint's secret does not verify it.
      await expect(unwrap(got[0]!, failures.secret)).rejects.toThrow(/signature/);
    }
    expect(await failures.receiver.received()).toEqual([]);
    expect(await deliveriesOf(t.key, failures.id)).toEqual([]);
  });

  it("retries a 500 after a backoff with the same webhook-id and body, then records the delivery", async () => {
    const t = await createTenant();
    const endpoint = await endpointWithReceiver(t.key, ["fine_tune.*"], [500, 200]);
    const e = event();
    expect(await emit(t.id, e)).toEqual({ deliveries: 1 });

    const [first] = await settle(t, endpoint.id, (d) => d[0]?.attempts === 1);
    expect(first).toMatchObject({ attempts: 1, delivered_at: null, last_error: "HTTP 500", gave_up: false });
    const wait = first!.next_attempt_at! * 1000 - nowMs(); // unix seconds
    // The first retry waits 1 s to 30 s (full jitter), as a job's own webhook does.
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(30_000);
    advanceClock(30_000);
    const [done] = await settle(t, endpoint.id, (d) => d[0]?.delivered_at != null);
    expect(done).toMatchObject({ attempts: 2, last_error: "HTTP 500", gave_up: false, next_attempt_at: null });
    const got = await endpoint.receiver.received();
    expect(got).toHaveLength(2);
    expect(got[1]!.body).toBe(got[0]!.body);
    expect(got[1]!.headers.get("webhook-id")).toBe(got[0]!.headers.get("webhook-id"));
    expect(await unwrap(got[1]!, endpoint.secret)).toEqual(e);
    expect(await runInDurableObject(tenantObject(t.id), (_o, state) => state.storage.getAlarm())).toBeNull();
  });

  it("gives up at once on a 410, and sets no alarm for it", async () => {
    const t = await createTenant();
    const endpoint = await endpointWithReceiver(t.key, ["*"], [410]);
    await emit(t.id, event("fine_tune.job.failed"));
    const [gaveUp] = await settle(t, endpoint.id, (d) => d[0]?.attempts === 1);
    expect(gaveUp).toMatchObject({ attempts: 1, delivered_at: null, last_error: "HTTP 410", gave_up: true, next_attempt_at: null });
    expect(await endpoint.receiver.received()).toHaveLength(1);
    expect(await runInDurableObject(tenantObject(t.id), (_o, state) => state.storage.getAlarm())).toBeNull();
  });

  it("queues an event once however often it is emitted", async () => {
    const t = await createTenant();
    const endpoint = await endpointWithReceiver(t.key, ["*"]);
    const e = event();
    expect(await emit(t.id, e)).toEqual({ deliveries: 1 });
    expect(await emit(t.id, e)).toEqual({ deliveries: 0 });
    await settle(t, endpoint.id, (d) => d[0]?.delivered_at != null);
    expect(await emit(t.id, e)).toEqual({ deliveries: 0 });
    await runInDurableObject(tenantObject(t.id), (o: Tenant) => o.alarm());
    expect(await endpoint.receiver.received()).toHaveLength(1);
    expect(await deliveriesOf(t.key, endpoint.id)).toHaveLength(1);
  });

  it("re-arms a lost alarm when an event is emitted again, so no owed delivery waits for nothing", async () => {
    const t = await createTenant();
    const endpoint = await endpointWithReceiver(t.key, ["*"], [{ status: 200, hold: true }]);
    const e = event();
    // Inside the object, so its own alarm (armed for now) cannot fire between these steps.
    const after = await runInDurableObject(tenantObject(t.id), async (o: Tenant, state) => {
      const webhooks = o.webhooks();
      await webhooks.emit(e);
      // As if the object had crashed between recording the event and setting its alarm.
      await state.storage.deleteAlarm();
      const again = await webhooks.emit(e);
      return { again, alarm: await state.storage.getAlarm() };
    });
    expect(after.again).toEqual({ deliveries: 0 });
    expect(after.alarm).not.toBeNull();
    // The delivery goes out once (from this run, or from an alarm the runtime fired first) and is held
    // until it has arrived; then it is let go and recorded.
    const kick = runInDurableObject(tenantObject(t.id), (o: Tenant) => o.alarm());
    await endpoint.receiver.received(1);
    await endpoint.receiver.release();
    await kick;
    await settle(t, endpoint.id, (d) => d[0]?.delivered_at != null);
    expect(await endpoint.receiver.received()).toHaveLength(1);
  });

  it("signs with both the new and the replaced secret for a day after a rotation, then with the new one only", async () => {
    const t = await createTenant();
    const endpoint = await endpointWithReceiver(t.key, ["*"]);
    const rotated = await api(`/api/webhooks/${endpoint.id}/rotate_secret`, { method: "POST", key: t.key });
    expect(rotated.status).toBe(200);
    assertNoSecretLeaked();
    registerSecret(rotated.body.secret);

    await emit(t.id, event());
    await settle(t, endpoint.id, (d) => d.length === 1 && d[0]!.delivered_at !== null);
    const [during] = await endpoint.receiver.received();
    expect(during!.headers.get("webhook-signature")!.split(" ")).toHaveLength(2);
    await unwrap(during!, rotated.body.secret);
    await unwrap(during!, endpoint.secret);

    advanceClock(24 * 3600_000 + 1_000);
    await emit(t.id, event());
    await settle(t, endpoint.id, (d) => d.length === 2 && d.every((x) => x.delivered_at !== null));
    const [, after] = await endpoint.receiver.received();
    expect(after!.headers.get("webhook-signature")!.split(" ")).toHaveLength(1);
    await unwrap(after!, rotated.body.secret);
    await expect(unwrap(after!, endpoint.secret)).rejects.toThrow(/signature/);
  });

  it("sends nothing more to an endpoint deleted while a retry was owed", async () => {
    const t = await createTenant();
    const endpoint = await endpointWithReceiver(t.key, ["*"], [503]);
    await emit(t.id, event());
    await settle(t, endpoint.id, (d) => d[0]?.attempts === 1);
    expect((await api(`/api/webhooks/${endpoint.id}`, { method: "DELETE", key: t.key })).status).toBe(200);
    // (A retry the runtime fired itself before the delete, a second or more later, may have gone out.)
    const before = (await endpoint.receiver.received()).length;
    advanceClock(60 * 60_000);
    await runInDurableObject(tenantObject(t.id), (o: Tenant) => o.alarm());
    expect(await endpoint.receiver.received()).toHaveLength(before);
    expect(await runInDurableObject(tenantObject(t.id), (_o, state) => state.storage.getAlarm())).toBeNull();
  });
});
