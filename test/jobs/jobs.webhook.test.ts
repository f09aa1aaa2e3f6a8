import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import OpenAI from "openai";
import { Webhook } from "standardwebhooks";
import type { JobWebhookEvent } from "../../src/webhooks/events";
import { api, createTenant } from "../helpers/api";
import { advanceClock, type RunConfigInput, uniqueRun } from "../helpers/emulator";
import { alarmAt, createJob, driveJob, jobRun, readyDataset, stubOf, whileOpenAITrains } from "../helpers/jobs";
import { assertNoSecretLeaked, registerSecret } from "../helpers/secrets";
import { type Received, webhookReceiver } from "../helpers/webhooks";
import type { ReceiverAnswer } from "../outbound/protocol";

// These tests train OpenAI students: they stand on a day OpenAI still took jobs.
whileOpenAITrains();

const BASE = "gpt-4o-mini-2024-07-18";
/** Past the end of a job in a jobRun: validating, queued and running, and a minute more. */
const PAST_THE_END_MS = 60_000 + 60_000 + 600_000 + 60_000;

/**
 * A job with a webhook whose deliveries go to a receiver of its own on the outbound recorder,
 * answering `answers` in turn (the last one repeated).
 */
async function jobWithReceiver(answers: (number | ReceiverAnswer)[], runConfig: RunConfigInput = {}, location?: string) {
  const tenant = await createTenant();
  const run = uniqueRun("ft-hook");
  await jobRun(run, runConfig);
  const dataset = await readyDataset(tenant.key);
  const receiver = await webhookReceiver(answers, location);
  const created = await createJob(tenant.key, run, { dataset: dataset.id, provider: "openai", base_model: BASE, webhook_url: receiver.url });
  expect(created.status, created.text).toBe(201);
  const secret = created.body.webhook_secret!;
  expect(secret).toMatch(/^whsec_/);
  // Shown once, in the create answer: from here on the leak check looks for it everywhere.
  assertNoSecretLeaked();
  registerSecret(secret);
  return { tenant, run, jobId: created.body.id, secret, hook: receiver.url, receiver, received: () => receiver.received() };
}

const openai = new OpenAI({ apiKey: "sk-unused" });

/**
 * The delivery is in the Standard Webhooks format: the openai SDK's `webhooks.unwrap()` and the
 * `standardwebhooks` package verify it with the job's secret; its webhook-id is the event id.
 */
async function expectSignedDelivery(r: Received, hook: string, secret: string, type: JobWebhookEvent["type"]): Promise<JobWebhookEvent> {
  expect(r).toMatchObject({ url: hook, method: "POST" });
  expect(r.headers.get("content-type")).toBe("application/json");
  expect(r.headers.get("user-agent")).toBe("Distillery-Webhooks/1");
  expect(r.headers.get("webhook-signature")).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
  const payload = (await openai.webhooks.unwrap(r.body, r.headers, secret)) as unknown as JobWebhookEvent;
  expect(new Webhook(secret).verify(r.body, Object.fromEntries(r.headers))).toEqual(payload);
  // A body changed in transit, or another secret, does not verify.
  await expect(openai.webhooks.unwrap(r.body.replace("}", " }"), r.headers, secret)).rejects.toThrow(/signature/);
  await expect(openai.webhooks.unwrap(r.body, r.headers, "whsec_YW5vdGhlciBzZWNyZXQgb2YgMzIgYnl0ZXMgISEhISE=")).rejects.toThrow(/signature/);
  expect(payload.type).toBe(type);
  expect(r.headers.get("webhook-id")).toBe(payload.id);
  expect(r.body).not.toContain(secret);
  return payload;
}

describe("job completion webhooks", () => {
  it("POSTs one signed fine_tune.job.succeeded event naming the model when the job succeeds", async () => {
    const { tenant, run, jobId, secret, hook, received } = await jobWithReceiver([200]);
    const { job } = await driveJob(tenant.id, jobId, run);
    expect(job.state).toBe("succeeded");

    const got = await received();
    expect(got).toHaveLength(1);
    const payload = await expectSignedDelivery(got[0]!, hook, secret, "fine_tune.job.succeeded");
    expect(payload.data.job).toEqual({
      id: jobId,
      state: "succeeded",
      provider: "openai",
      provider_job_id: job.provider_job_id,
      fine_tuned_model: job.fine_tuned_model,
      error: null,
      dataset: job.dataset!.id,
      base_model: BASE,
    });
    expect(payload.created).toBe(job.timings.finished_at);
    expect(job.webhook).toEqual({ url: hook, delivery: { attempts: 1, delivered_at: expect.any(Number), last_error: null, gave_up: false } });
    expect(await alarmAt(tenant.id, jobId)).toBeNull();
  });

  it("retries a receiver's 500 on the job's alarm and records the delivery on the second attempt", async () => {
    const { tenant, run, jobId, secret, hook, received } = await jobWithReceiver([500, 200]);
    const { job, delays } = await driveJob(tenant.id, jobId, run);
    expect(job.state).toBe("succeeded");

    const got = await received();
    expect(got).toHaveLength(2);
    const first = await expectSignedDelivery(got[0]!, hook, secret, "fine_tune.job.succeeded");
    const second = await expectSignedDelivery(got[1]!, hook, secret, "fine_tune.job.succeeded");
    // The same event both times, so a receiver can dedupe.
    expect(second.id).toBe(first.id);
    expect(got[1]!.body).toBe(got[0]!.body);
    expect(job.webhook!.delivery).toEqual({ attempts: 2, delivered_at: expect.any(Number), last_error: "HTTP 500", gave_up: false });
    // The retry waited a backoff (1 s to 30 s after a first failure, less what driving took), then nothing was left to do.
    const retryDelay = delays[delays.length - 1]!;
    expect(retryDelay).toBeGreaterThan(0);
    expect(retryDelay).toBeLessThanOrEqual(30_000);
    expect(await alarmAt(tenant.id, jobId)).toBeNull();
    expect(job.events.some((e) => e.type === "webhook" && /attempt 1 failed: HTTP 500/.test(e.message))).toBe(true);

    const read = await api(`/api/jobs/${jobId}`, { key: tenant.key });
    expect(read.body.webhook.delivery).toMatchObject({ attempts: 2, gave_up: false });
    expect(read.body.webhook.delivery.delivered_at).not.toBeNull();
  });

  it("gives up after one attempt when the receiver answers 410, and sets no more alarms", async () => {
    const { tenant, run, jobId, received } = await jobWithReceiver([410]);
    const { job } = await driveJob(tenant.id, jobId, run);
    expect(job.state).toBe("succeeded");
    expect(await received()).toHaveLength(1);
    expect(job.webhook!.delivery).toEqual({ attempts: 1, delivered_at: null, last_error: "HTTP 410", gave_up: true });
    expect(await alarmAt(tenant.id, jobId)).toBeNull();
    // The model is registered whatever the receiver said.
    expect(job.model_registered).toBe(true);
  });

  it("does not follow a receiver's redirect, and gives up on it", async () => {
    const elsewhere = await webhookReceiver([200]);
    const { tenant, run, jobId, received } = await jobWithReceiver([302], {}, elsewhere.url);
    const { job } = await driveJob(tenant.id, jobId, run);
    expect(job.state).toBe("succeeded");
    expect(await received()).toHaveLength(1);
    expect(await elsewhere.received()).toEqual([]);
    expect(job.webhook!.delivery).toEqual({ attempts: 1, delivered_at: null, last_error: "redirect (HTTP 302) not followed", gave_up: true });
    expect(await alarmAt(tenant.id, jobId)).toBeNull();
  });

  it("sends fine_tune.job.failed with the provider's error when the job fails", async () => {
    const { tenant, run, jobId, secret, hook, received } = await jobWithReceiver([204], { fine_tuning: { fail: "The GPU node was lost during training." } });
    const { job } = await driveJob(tenant.id, jobId, run);
    expect(job.state).toBe("failed");
    const got = await received();
    expect(got).toHaveLength(1);
    const payload = await expectSignedDelivery(got[0]!, hook, secret, "fine_tune.job.failed");
    expect(payload.data.job).toMatchObject({ id: jobId, state: "failed", fine_tuned_model: null });
    expect(payload.data.job.error?.message).toContain("GPU node was lost");
    expect(job.webhook!.delivery).toMatchObject({ attempts: 1, gave_up: false });
  });

  it("sends fine_tune.job.cancelled when the job is cancelled while running", async () => {
    const { tenant, run, jobId, secret, hook, received } = await jobWithReceiver([200]);
    const running = await driveJob(tenant.id, jobId, run, { until: (j) => j.state === "running" });
    expect(running.job.state).toBe("running");
    expect(await received()).toHaveLength(0);

    const cancel = await api(`/api/jobs/${jobId}/cancel`, { method: "POST", key: tenant.key });
    expect(cancel.status).toBe(200);
    const { job } = await driveJob(tenant.id, jobId, run);
    expect(job.state).toBe("cancelled");

    const got = await received();
    expect(got).toHaveLength(1);
    const payload = await expectSignedDelivery(got[0]!, hook, secret, "fine_tune.job.cancelled");
    expect(payload.data.job).toMatchObject({ id: jobId, state: "cancelled", fine_tuned_model: null });
    expect(job.model_registered).toBe(false);

    // Cancelling again answers the cancelled job and sends nothing more.
    const again = await api(`/api/jobs/${jobId}/cancel`, { method: "POST", key: tenant.key });
    expect(again.status).toBe(200);
    expect(again.body.state).toBe("cancelled");
    expect(await received()).toHaveLength(1);
  });

  it("sends fine_tune.job.cancelled for a job cancelled as soon as it was created", async () => {
    const { tenant, run, jobId, secret, hook, received } = await jobWithReceiver([200]);
    // The first step may already be uploading; either way no provider job is left running.
    const cancel = await api(`/api/jobs/${jobId}/cancel`, { method: "POST", key: tenant.key });
    expect(cancel.status).toBe(200);
    const { job } = await driveJob(tenant.id, jobId, run);
    expect(job.state).toBe("cancelled");
    const got = await received();
    expect(got).toHaveLength(1);
    await expectSignedDelivery(got[0]!, hook, secret, "fine_tune.job.cancelled");
  });

  it("takes an alarm that arrives while a delivery is in flight as no more than a wait: the retry keeps its schedule and nothing is sent twice", async () => {
    const { tenant, run, jobId, receiver, received } = await jobWithReceiver([{ status: 500, hold: true }, 200]);
    await driveJob(tenant.id, jobId, run, { until: (j) => j.state === "running" });
    await advanceClock(run, PAST_THE_END_MS);
    const stub = stubOf(tenant.id, jobId);
    // This alarm's step sees the job succeed, then delivers the webhook, whose answer the receiver holds.
    const finishing = runDurableObjectAlarm(stub);
    await receiver.received(1);
    // Another alarm (the platform's retry, a second delivery) arrives while that step waits on the receiver.
    await runInDurableObject(stub, async (instance) => {
      const second = instance.alarm();
      await receiver.release();
      await second;
    });
    expect(await finishing).toBe(true);

    expect(await received()).toHaveLength(1);
    const job = (await stub.get())!;
    expect(job.state).toBe("succeeded");
    expect(job.webhook!.delivery).toEqual({ attempts: 1, delivered_at: null, last_error: "HTTP 500", gave_up: false });
    expect(await alarmAt(tenant.id, jobId)).toBeGreaterThan(Date.now());

    // The retry, when its alarm comes, delivers.
    const { job: after } = await driveJob(tenant.id, jobId, run);
    expect(await received()).toHaveLength(2);
    expect(after.webhook!.delivery).toMatchObject({ attempts: 2, delivered_at: expect.any(Number) });
  });
});
