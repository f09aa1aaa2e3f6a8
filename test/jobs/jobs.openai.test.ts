import { describe, expect, it } from "vitest";
import { openTenant } from "../../src/durable/tenant";
import { launchJob } from "../../src/jobs/launch";
import { prepareCreate } from "../../src/jobs/prepare";
import { api, bindings, createTenant } from "../helpers/api";
import { emulatorClient, uniqueRun } from "../helpers/emulator";
import { createJob, driveJob, jobRun, providerJobCount, readyDataset, whileOpenAITrains } from "../helpers/jobs";

// These tests train OpenAI students: they stand on a day OpenAI still took jobs.
whileOpenAITrains();

const BASE = "gpt-4o-mini-2024-07-18";

describe("fine-tune jobs on OpenAI", () => {
  it("runs a job from a ready dataset to succeeded, alarm by alarm, and registers the model as a candidate", async () => {
    const { id: tenantId, key } = await createTenant();
    const run = uniqueRun("ft-openai");
    await jobRun(run);
    const dataset = await readyDataset(key);

    const created = await createJob(key, run, { dataset: dataset.id, provider: "openai", base_model: BASE, hyperparameters: { n_epochs: 2 }, suffix: "guide" });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ state: "created", provider: "openai", base_model: BASE, validation: "eval-split" });
    expect(created.body.dataset?.train.sha256).toBe(dataset.files.train!.sha256);
    expect(created.body.cost.estimate_usd).toBeGreaterThan(0);

    const { job } = await driveJob(tenantId, created.body.id, run);
    expect(job.state).toBe("succeeded");
    expect(job.fine_tuned_model).toMatch(new RegExp(`^ft:${BASE}:.*:guide:`));
    expect(job.model_registered).toBe(true);
    expect(job.trained_tokens).toBeGreaterThan(0);
    expect(job.cost.actual_usd).toBeGreaterThan(0);
    expect(job.training_file).toMatch(/^file-/);
    expect(job.validation_file).toMatch(/^file-/);
    expect(job.timeline.map((t) => t.state)).toEqual(["created", "uploading", "submitted", "validating", "queued", "running", "succeeded"]);
    expect(job.events.some((e) => e.source === "provider" && /successfully completed/.test(e.message))).toBe(true);
    expect(job.timings.finished_at).not.toBeNull();

    // Exactly one provider job carries this job's key.
    const listed = await emulatorClient(run).fineTuning.jobs.list({ metadata: { distillery_job: job.id } });
    expect(listed.data).toHaveLength(1);

    const models = await api("/api/models", { key });
    expect(models.status).toBe(200);
    expect(models.body.active).toBeNull();
    expect(models.body.candidates).toEqual([expect.objectContaining({ id: job.fine_tuned_model, provider: "openai", fine_tune_provider: "openai", base_model: BASE, job_id: job.id, servable: true })]);
    expect(models.body.base_models).toEqual([BASE]);
    expect(models.body.history[0]).toMatchObject({ model: job.fine_tuned_model, action: "registered" });

    const list = await api("/api/jobs?state=succeeded", { key });
    expect(list.body.data.map((j: { id: string }) => j.id)).toEqual([job.id]);
    const read = await api(`/api/jobs/${job.id}`, { key });
    expect(read.body).toMatchObject({ id: job.id, state: "succeeded" });
  });
});

describe("OpenAI's wind-down", () => {
  it("fails, without creating a provider job, a job whose provider stopped taking new jobs before it was submitted", async () => {
    const { id: tenantId, key } = await createTenant();
    const run = uniqueRun("ft-cutoff");
    await jobRun(run);
    const dataset = await readyDataset(key);
    const init = await prepareCreate(bindings, openTenant(bindings, tenantId), { dataset: dataset.id, provider: "openai", base_model: BASE, validation: "none", evaluate: false }, `${run}:late`);
    // Created the day before the cutoff, submitted after it (the uploads took that long, say).
    await launchJob(bindings, openTenant(bindings, tenantId), { ...init, new_jobs_cutoff: "2020-01-01" });
    const { job } = await driveJob(tenantId, init.id, run);
    expect(job.state).toBe("failed");
    expect(job.error).toEqual({ code: "provider_closed", message: expect.stringContaining("stopped accepting new fine-tuning jobs on 2020-01-01") });
    expect(await providerJobCount(run, "openai")).toBe(0);
  });
});
