import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { openTenant } from "../../src/durable/tenant";
import { launchJob } from "../../src/jobs/launch";
import { prepareCreate } from "../../src/jobs/prepare";
import { loadRecord, saveRecord } from "../../src/durable/fine-tune-job/store";
import { api, bindings, createTenant } from "../helpers/api";
import { configureRun, uniqueRun } from "../helpers/emulator";
import { createJob, driveJob, firstStepDone, jobRun, providerJobCount, readyDataset, stubOf, whileOpenAITrains } from "../helpers/jobs";
import { PROVIDERS, type ProviderCase } from "./providers";

// These tests train OpenAI students: they stand on a day OpenAI still took jobs.
whileOpenAITrains();

async function setup(p: ProviderCase, runConfig: Parameters<typeof jobRun>[1] = {}) {
  const { id: tenantId, key } = await createTenant();
  const run = uniqueRun(`ft-${p.provider}`);
  await jobRun(run, runConfig);
  const dataset = await readyDataset(key);
  return { tenantId, key, run, dataset, body: { dataset: dataset.id, provider: p.provider, base_model: p.base, hyperparameters: p.hyperparameters } };
}

describe.each(PROVIDERS)("fine-tune jobs on $provider", (p) => {
  it("runs from a ready dataset to succeeded and registers the model as a candidate", async () => {
    const { tenantId, key, run, body } = await setup(p);
    const created = await createJob(key, run, body);
    expect(created.status).toBe(201);
    const { job } = await driveJob(tenantId, created.body.id, run);
    expect(job).toMatchObject({ state: "succeeded", model_registered: true, error: null });
    expect(job.fine_tuned_model).toBeTruthy();
    expect(job.timeline.map((t) => t.state)).toEqual(expect.arrayContaining(["created", "uploading", "submitted", "running", "succeeded"]));
    expect(job.provider_status).toBeTruthy();
    expect(await providerJobCount(run, p.provider)).toBe(1);

    const models = await api("/api/models", { key });
    expect(models.body.candidates).toEqual([
      expect.objectContaining({ id: job.fine_tuned_model, fine_tune_provider: p.provider, base_model: p.base, servable: p.servable, status: "candidate" }),
    ]);
    // A finished job cannot be cancelled.
    const cancel = await api(`/api/jobs/${job.id}/cancel`, { method: "POST", key });
    expect(cancel.status).toBe(409);
    expect(cancel.body.error.code).toBe("conflict");
  });

  it("ends failed with the provider's message when the provider's job fails, and registers nothing", async () => {
    const { tenantId, key, run, body } = await setup(p, { fine_tuning: { fail: "The GPU node was lost during training." } });
    const created = await createJob(key, run, body);
    const { job } = await driveJob(tenantId, created.body.id, run);
    expect(job.state).toBe("failed");
    expect(job.error?.message).toContain("GPU node was lost");
    expect(job.model_registered).toBe(false);
    expect((await api("/api/models", { key })).body.models).toEqual([]);
    expect((await api(`/api/jobs/${job.id}/cancel`, { method: "POST", key })).status).toBe(409);
  });

  it("cancels a running job at the provider; cancelling again answers 200 with its state", async () => {
    const { tenantId, key, run, body } = await setup(p);
    const created = await createJob(key, run, body);
    await driveJob(tenantId, created.body.id, run, { until: (j) => j.state === "running" });
    const cancel = await api(`/api/jobs/${created.body.id}/cancel`, { method: "POST", key });
    expect(cancel.status).toBe(200);
    expect(cancel.body.cancel_requested).toBe(true);
    const { job } = await driveJob(tenantId, created.body.id, run);
    expect(job.state).toBe("cancelled");
    expect(job.fine_tuned_model).toBeNull();
    const again = await api(`/api/jobs/${created.body.id}/cancel`, { method: "POST", key });
    expect(again.status).toBe(200);
    expect(again.body.state).toBe("cancelled");
    expect(await providerJobCount(run, p.provider)).toBe(1);
  });

  it("finishes after its Durable Object is evicted mid-run: state is reloaded from storage", async () => {
    const { tenantId, key, run, body } = await setup(p);
    const created = await createJob(key, run, body);
    await driveJob(tenantId, created.body.id, run, { until: (j) => j.state === "running" });
    await evictDurableObject(stubOf(tenantId, created.body.id));
    const { job } = await driveJob(tenantId, created.body.id, run);
    expect(job.state).toBe("succeeded");
    expect(job.model_registered).toBe(true);
    expect(await providerJobCount(run, p.provider)).toBe(1);
  });

  it("creates no second provider job after a crash between the provider's answer and saving its id", async () => {
    const { tenantId, run, body } = await setup(p);
    const init = await prepareCreate(bindings, openTenant(bindings, tenantId), { ...body, validation: "eval-split", evaluate: false }, `${run}:crash`);
    await launchJob(bindings, openTenant(bindings, tenantId), init);
    await firstStepDone(tenantId, init.id);
    expect(await providerJobCount(run, p.provider)).toBe(1);
    const stub = stubOf(tenantId, init.id);
    await crashedBeforeSavingTheProviderJob(stub);
    await evictDurableObject(stub); // the restart: only storage is left
    const afterCrash = (await stub.get())!;
    expect(afterCrash).toMatchObject({ state: "uploading", provider_job_id: null });

    const { job } = await driveJob(tenantId, init.id, run);
    expect(job.state).toBe("succeeded");
    expect(job.events.some((e) => /found the provider job created before a restart/.test(e.message))).toBe(true);
    expect(await providerJobCount(run, p.provider)).toBe(1);
  });

  it("backs off while the provider answers 429 to polls, then carries on", async () => {
    const { tenantId, key, run, body } = await setup(p);
    const created = await createJob(key, run, body);
    await driveJob(tenantId, created.body.id, run, { until: (j) => j.state === "submitted" || j.state === "queued" || j.state === "validating" });
    await jobRun(run, { faults: { seed: 1, rate_429: 1 } });
    const limited = await driveJob(tenantId, created.body.id, run, { maxAlarms: 4 });
    expect(limited.job.last_error).toMatch(/rate/i);
    // After the poll already scheduled: 15 s, 30 s, 60 s (±10 %), each wait longer than the one before.
    const backoff = limited.delays.slice(1);
    expect(backoff).toHaveLength(3);
    expect(backoff[0]).toBeGreaterThanOrEqual(13_500);
    expect(backoff[1]).toBeGreaterThan(backoff[0]!);
    expect(backoff[2]).toBeGreaterThan(backoff[1]!);
    expect(limited.job.events.filter((e) => e.type === "retry").length).toBeGreaterThanOrEqual(3);

    await jobRun(run);
    const { job } = await driveJob(tenantId, created.body.id, run);
    expect(job.state).toBe("succeeded");
    expect(await providerJobCount(run, p.provider)).toBe(1);
  });
});

/**
 * Puts the job's storage back to what a crash between the provider's answer to create and saving
 * the provider job's id leaves: the attempt recorded (saved before the call), no provider job id,
 * still uploading, no poll scheduled, no event after the uploads. (The object must then be evicted,
 * as the crash would have, for it to read this.)
 */
async function crashedBeforeSavingTheProviderJob(stub: ReturnType<typeof stubOf>): Promise<void> {
  await runInDurableObject(stub, async (_instance, state) => {
    const sql = state.storage.sql;
    const job = loadRecord(sql)!;
    expect(job).toMatchObject({ create_attempted: true, provider_job_id: expect.any(String) });
    saveRecord(sql, {
      ...job,
      state: "uploading",
      provider_job_id: null,
      provider_status: null,
      timings: { ...job.timings, submitted_at: null },
      poll: { count: 0, failures: 0, next_at: null, last_error: null },
      last_event_id: null,
    });
    sql.exec("DELETE FROM events WHERE seq >= (SELECT MIN(seq) FROM events WHERE source = 'distillery' AND type = 'state' AND message LIKE 'submitted%')");
    // The safety net start() set, as the crash left it.
    await state.storage.setAlarm(Date.now() + 60_000);
  });
}
