import { toFile } from "openai";
import { describe, expect, it } from "vitest";
import { api, createTenant } from "../helpers/api";
import { advanceClock, emulatorClient, listEmulatorJobs, uniqueRun } from "../helpers/emulator";
import { createJob, driveJob, exampleLines, jobRun, readyDataset, whileOpenAITrains } from "../helpers/jobs";
import { PROVIDERS, type ProviderCase } from "./providers";
import { assertNoSecretLeaked, registerSecret } from "../helpers/secrets";
import { webhookReceiver } from "../helpers/webhooks";

// These tests train OpenAI students: they stand on a day OpenAI still took jobs.
whileOpenAITrains();

const BASE = "gpt-4o-mini-2024-07-18";
const PAST_THE_END_MS = 60_000 + 60_000 + 600_000 + 60_000;

async function tenantWithJob(opts: { webhook?: boolean; provider?: ProviderCase } = {}) {
  const tenant = await createTenant("owner");
  const run = uniqueRun("ft-sec");
  await jobRun(run);
  const dataset = await readyDataset(tenant.key);
  const receiver = opts.webhook ? await webhookReceiver() : null;
  const created = await createJob(tenant.key, run, {
    dataset: dataset.id,
    provider: opts.provider?.provider ?? "openai",
    base_model: opts.provider?.base ?? BASE,
    ...(receiver ? { webhook_url: receiver.url } : {}),
  });
  expect(created.status, created.text).toBe(201);
  return { tenant, run, dataset, created, receiver };
}

/** A provider job made straight at the emulator (a seed's job), in `run`. */
async function seedProviderJob(run: string): Promise<string> {
  const client = emulatorClient(run);
  const file = await client.files.create({ file: await toFile(new TextEncoder().encode(exampleLines(12, "seed")), "seed.jsonl"), purpose: "fine-tune" });
  return (await client.fineTuning.jobs.create({ model: BASE, training_file: file.id })).id;
}

describe("a tenant's jobs are its own", () => {
  it("answers 404 to another tenant reading or cancelling the job, and leaves it out of their list", async () => {
    const { tenant: owner, run, created } = await tenantWithJob();
    const jobId = created.body.id;
    const intruder = await createTenant("intruder");

    const read = await api(`/api/jobs/${jobId}`, { key: intruder.key });
    expect(read.status).toBe(404);
    expect(read.body.error.code).toBe("not_found");
    expect(read.text).not.toContain(created.body.dataset!.id);

    const cancel = await api(`/api/jobs/${jobId}/cancel`, { method: "POST", key: intruder.key });
    expect(cancel.status).toBe(404);
    expect(cancel.body.error.code).toBe("not_found");

    for (const query of ["", "?state=created", "?state=uploading", "?state=submitted"]) {
      const list = await api(`/api/jobs${query}`, { key: intruder.key });
      expect(list.status).toBe(200);
      expect(list.body.data).toEqual([]);
    }
    // Another tenant's job is no cursor in this tenant's list: the same 400 as an id that never was.
    for (const cursor of [`after=${jobId}`, `before=${jobId}`]) {
      const list = await api(`/api/jobs?${cursor}`, { key: intruder.key });
      expect(list.status).toBe(400);
      expect(list.text).not.toContain(created.body.dataset!.id);
    }

    // The owner's job went on untouched by the attempt.
    const { job } = await driveJob(owner.id, jobId, run);
    expect(job).toMatchObject({ state: "succeeded", cancel_requested: false, model_registered: true });
    expect((await api("/api/jobs", { key: owner.key })).body.data.map((j: { id: string }) => j.id)).toEqual([jobId]);
    // Nor does the intruder see the owner's model.
    const models = await api("/api/models", { key: intruder.key });
    expect(models.body).toMatchObject({ models: [], candidates: [], history: [] });
  });

  it("lets two tenants attach the same seed provider job, each seeing only its own job", async () => {
    const run = uniqueRun("ft-sec-seed");
    await jobRun(run);
    const providerJobId = await seedProviderJob(run);
    await advanceClock(run, PAST_THE_END_MS);
    const a = await createTenant("a");
    const b = await createTenant("b");

    const attachedA = await api("/api/jobs/attach", { method: "POST", key: a.key, json: { provider: "openai", provider_job_id: providerJobId }, headers: { "X-Request-Id": `${run}:attach-a` } });
    const attachedB = await api("/api/jobs/attach", { method: "POST", key: b.key, json: { provider: "openai", provider_job_id: providerJobId }, headers: { "X-Request-Id": `${run}:attach-b` } });
    // Each tenant has its own index: a job made outside Distillery belongs to no tenant, so each may track it.
    expect(attachedA.status).toBe(201);
    expect(attachedB.status).toBe(201);
    expect(attachedB.body.id).not.toBe(attachedA.body.id);

    expect((await api(`/api/jobs/${attachedA.body.id}`, { key: b.key })).status).toBe(404);
    expect((await api(`/api/jobs/${attachedB.body.id}`, { key: a.key })).status).toBe(404);
    expect((await api("/api/jobs", { key: a.key })).body.data.map((j: { id: string }) => j.id)).toEqual([attachedA.body.id]);
    expect((await api("/api/jobs", { key: b.key })).body.data.map((j: { id: string }) => j.id)).toEqual([attachedB.body.id]);
    expect((await api(`/api/jobs/${attachedA.body.id}/cancel`, { method: "POST", key: b.key })).status).toBe(404);
  });

  it.each(PROVIDERS)("answers 404, as for an unknown id, when a tenant attaches the $provider job another tenant's Distillery job created", async (p) => {
    const { tenant: owner, run, created } = await tenantWithJob({ provider: p });
    const { job } = await driveJob(owner.id, created.body.id, run);
    expect(job.state).toBe("succeeded");
    const intruder = await createTenant("intruder");

    const res = await api("/api/jobs/attach", {
      method: "POST",
      key: intruder.key,
      json: { provider: p.provider, provider_job_id: job.provider_job_id },
      headers: { "X-Request-Id": `${run}:attach-intruder` },
    });
    expect(res.status, res.text).toBe(404);
    expect(res.body.error).toMatchObject({ code: "not_found", details: { provider: p.provider, provider_job_id: job.provider_job_id } });
    expect(res.text).not.toContain(created.body.id);
    expect(res.text).not.toContain(job.fine_tuned_model!);
    expect((await api("/api/jobs", { key: intruder.key })).body.data).toEqual([]);
    expect((await api("/api/models", { key: intruder.key })).body.models).toEqual([]);

    // The owner attaching its own provider job gets its job back.
    const own = await api("/api/jobs/attach", { method: "POST", key: owner.key, json: { provider: p.provider, provider_job_id: job.provider_job_id } });
    expect(own.status).toBe(200);
    expect(own.body.id).toBe(job.id);
  });
});

describe("the webhook signing secret", () => {
  it("is shown once, in the create answer, and never in a job read, the list, or a log line", async () => {
    const { tenant, run, created, receiver } = await tenantWithJob({ webhook: true });
    const hook = receiver!.url;
    const secret = created.body.webhook_secret!;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(created.body.webhook).toEqual({ url: hook, delivery: null });
    // The create answer is the one place allowed to show it: check what was captured so far, then
    // have the suite-wide leak check look for it in everything after.
    assertNoSecretLeaked();
    registerSecret(secret);

    const { job } = await driveJob(tenant.id, created.body.id, run);
    expect(job.state).toBe("succeeded");
    const delivered = await receiver!.received();
    expect(delivered).toHaveLength(1);
    // Signed with it, never carrying it.
    expect(delivered[0]!.headers.get("webhook-signature")).toMatch(/^v1,/);
    expect(JSON.stringify(delivered)).not.toContain(secret);

    const read = await api(`/api/jobs/${job.id}`, { key: tenant.key });
    expect(read.status).toBe(200);
    expect(read.text).not.toContain(secret);
    expect(read.text).not.toContain("whsec_");
    expect(read.body).not.toHaveProperty("webhook_secret");
    expect(read.body.webhook).toMatchObject({ url: hook, delivery: { attempts: 1, gave_up: false } });

    const list = await api("/api/jobs", { key: tenant.key });
    expect(list.text).not.toContain("whsec_");
    const cancel = await api(`/api/jobs/${job.id}/cancel`, { method: "POST", key: tenant.key });
    expect(cancel.status).toBe(409);
    expect(cancel.text).not.toContain("whsec_");
    // afterEach (test/setup/no-secrets.ts) fails the test if any response or log line since held it.
  });

  it("is not issued to a job created without a webhook_url", async () => {
    const { created } = await tenantWithJob();
    expect(created.body).not.toHaveProperty("webhook_secret");
    expect(created.body.webhook).toBeNull();
  });
});

describe("Idempotency-Key on POST /api/jobs", () => {
  it("creates one job and one provider job for the same key and body sent twice", async () => {
    const tenant = await createTenant();
    const run = uniqueRun("ft-idem");
    await jobRun(run);
    const dataset = await readyDataset(tenant.key);
    const body = { dataset: dataset.id, provider: "openai", base_model: BASE, suffix: "once" };

    const first = await createJob(tenant.key, run, body, { "Idempotency-Key": "create-once" });
    const second = await createJob(tenant.key, run, body, { "Idempotency-Key": "create-once" });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get("Idempotent-Replayed")).toBe("true");
    expect(second.body.id).toBe(first.body.id);

    const { job } = await driveJob(tenant.id, first.body.id, run);
    expect(job.state).toBe("succeeded");
    expect((await api("/api/jobs", { key: tenant.key })).body.data.map((j: { id: string }) => j.id)).toEqual([first.body.id]);
    expect(await listEmulatorJobs("openai", run)).toHaveLength(1);
  });

  it("answers 409 for the same key with another body, and creates nothing more", async () => {
    const tenant = await createTenant();
    const run = uniqueRun("ft-idem-409");
    await jobRun(run);
    const dataset = await readyDataset(tenant.key);
    const body = { dataset: dataset.id, provider: "openai", base_model: BASE };

    const first = await createJob(tenant.key, run, body, { "Idempotency-Key": "create-409" });
    expect(first.status).toBe(201);
    const other = await createJob(tenant.key, run, { ...body, suffix: "different" }, { "Idempotency-Key": "create-409" });
    expect(other.status).toBe(409);
    expect((other.body as unknown as { error: { code: string } }).error.code).toBe("idempotency_conflict");

    await driveJob(tenant.id, first.body.id, run);
    expect((await api("/api/jobs", { key: tenant.key })).body.data).toHaveLength(1);
    expect(await listEmulatorJobs("openai", run)).toHaveLength(1);
  });

  it("keeps keys per tenant: another tenant's same key and body creates that tenant's own job", async () => {
    const run = uniqueRun("ft-idem-tenants");
    await jobRun(run);
    const a = await createTenant("a");
    const b = await createTenant("b");
    const datasetA = await readyDataset(a.key, { name: "same-name" });
    await readyDataset(b.key, { name: "same-name" });
    const body = { dataset: "same-name", provider: "openai", base_model: BASE };

    const fromA = await createJob(a.key, run, body, { "Idempotency-Key": "shared-key" });
    const fromB = await createJob(b.key, run, body, { "Idempotency-Key": "shared-key" });
    expect(fromA.status).toBe(201);
    expect(fromB.status).toBe(201);
    expect(fromB.headers.get("Idempotent-Replayed")).toBeNull();
    expect(fromB.body.id).not.toBe(fromA.body.id);
    expect(fromB.body.dataset!.id).not.toBe(datasetA.id);
  });
});
