import { toFile } from "openai";
import { describe, expect, it } from "vitest";
import type { JobView } from "../../src/durable/fine-tune-job/view";
import type { FineTuneProviderId } from "../../src/providers/types";
import { api, createTenant } from "../helpers/api";
import { advanceClock, emulatorClient, listEmulatorJobs, providerCall, uniqueRun } from "../helpers/emulator";
import { alarmAt, driveJob, exampleLines, jobRun } from "../helpers/jobs";

/**
 * How each provider's job is made outside Distillery (as the seeds' `start_job_id` was): a
 * training file uploaded and a job created straight at the emulated provider, in `run`.
 */
interface AttachCase {
  provider: FineTuneProviderId;
  base: string;
  /** Creates a provider job in `run`; returns the id POST /api/jobs/attach takes. */
  createProviderJob(run: string): Promise<string>;
  /** An id this provider has never issued. */
  unknownId: string;
}

const CASES: AttachCase[] = [
  {
    provider: "openai",
    base: "gpt-4o-mini-2024-07-18",
    async createProviderJob(run) {
      const client = emulatorClient(run);
      const file = await client.files.create({ file: await toFile(new TextEncoder().encode(exampleLines(12, "attach")), "seed-train.jsonl"), purpose: "fine-tune" });
      const job = await client.fineTuning.jobs.create({ model: this.base, training_file: file.id, suffix: "seed" });
      return job.id;
    },
    unknownId: "ftjob-doesnotexist0000",
  },
  {
    provider: "together",
    base: "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference",
    async createProviderJob(run) {
      const form = new FormData();
      form.append("file", new File([exampleLines(12, "attach")], "seed-train.jsonl"));
      form.append("file_name", "seed-train.jsonl");
      form.append("purpose", "fine-tune");
      form.append("file_type", "jsonl");
      const file = await json<{ id: string }>(await providerCall(run, "POST", "/together/v1/files/upload", form));
      const job = await json<{ id: string }>(await providerCall(run, "POST", "/together/v1/fine-tunes", { training_file: file.id, model: this.base, n_epochs: 1, suffix: "seed" }));
      return job.id;
    },
    unknownId: "ft-00000000-0000-0000-0000-000000000000",
  },
  {
    provider: "fireworks",
    base: "accounts/fireworks/models/llama-v3p1-8b-instruct",
    async createProviderJob(run) {
      // The account Distillery's Fireworks provider uses against the local emulator.
      const root = "/fireworks/v1/accounts/local";
      const datasetId = `seed-${crypto.randomUUID().slice(0, 8)}`;
      await json(await providerCall(run, "POST", `${root}/datasets`, { datasetId, dataset: { userUploaded: {}, format: "CHAT" } }));
      const form = new FormData();
      form.append("file", new File([exampleLines(12, "attach")], "seed-train.jsonl"));
      await json(await providerCall(run, "POST", `${root}/datasets/${datasetId}:upload`, form));
      const job = await json<{ name: string }>(
        await providerCall(run, "POST", `${root}/supervisedFineTuningJobs`, { dataset: `accounts/local/datasets/${datasetId}`, baseModel: this.base, epochs: 1 }),
      );
      return job.name.split("/").pop()!;
    },
    unknownId: "doesnotexist",
  },
];

async function json<T = unknown>(res: Response): Promise<T> {
  const text = await res.text();
  if (!res.ok) throw new Error(`provider call failed: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/** The whole emulated life of a job in jobRun: validating + queued + running, and a margin. */
const PAST_THE_END_MS = 60_000 + 60_000 + 600_000 + 60_000;

function attach(key: string, run: string, json: Record<string, unknown>, headers: Record<string, string> = {}) {
  // The request id's prefix puts the job's later provider calls (its polls) in the run.
  return api<JobView & { webhook_secret?: string }>("/api/jobs/attach", { method: "POST", key, json, headers: { "X-Request-Id": `${run}:attach`, ...headers } });
}

const errorOf = (res: { body: unknown }) => (res.body as { error: { code: string; message: string; details?: unknown } }).error;

describe.each(CASES)("attaching $provider jobs", (p) => {
  it("tracks a running provider job, polls it to succeeded and registers its model", async () => {
    const { id: tenantId, key } = await createTenant();
    const run = uniqueRun(`attach-${p.provider}`);
    await jobRun(run);
    const providerJobId = await p.createProviderJob(run);

    const attached = await attach(key, run, { provider: p.provider, provider_job_id: providerJobId });
    expect(attached.status, attached.text).toBe(201);
    expect(attached.body).toMatchObject({ kind: "attach", provider: p.provider, provider_job_id: providerJobId, base_model: p.base, dataset: null, model_registered: false });
    expect(["submitted", "validating", "queued", "running"]).toContain(attached.body.state);
    // An unfinished attached job must be polled: its alarm is set.
    expect(await alarmAt(tenantId, attached.body.id)).not.toBeNull();

    const { job } = await driveJob(tenantId, attached.body.id, run);
    expect(job.state).toBe("succeeded");
    expect(job.fine_tuned_model).toBeTruthy();
    expect(job.model_registered).toBe(true);
    expect(job.timeline.map((t) => t.state)).toEqual(expect.arrayContaining(["submitted", "succeeded"]));

    const models = await api("/api/models", { key });
    expect(models.body.candidates).toEqual([expect.objectContaining({ id: job.fine_tuned_model, fine_tune_provider: p.provider, job_id: job.id })]);
    // Attaching made no second provider job.
    expect(await listEmulatorJobs(p.provider, run)).toHaveLength(1);
  });

  it("registers the model at once when the provider job had already succeeded", async () => {
    const { id: tenantId, key } = await createTenant();
    const run = uniqueRun(`attach-done-${p.provider}`);
    await jobRun(run);
    const providerJobId = await p.createProviderJob(run);
    await advanceClock(run, PAST_THE_END_MS);

    const attached = await attach(key, run, { provider: p.provider, provider_job_id: providerJobId });
    expect(attached.status, attached.text).toBe(201);
    expect(attached.body).toMatchObject({ state: "succeeded", model_registered: true, provider_job_id: providerJobId });
    expect(attached.body.fine_tuned_model).toBeTruthy();
    expect(attached.body.webhook).toBeNull();
    expect(attached.body).not.toHaveProperty("webhook_secret");
    // Nothing left to poll.
    expect(await alarmAt(tenantId, attached.body.id)).toBeNull();

    const models = await api("/api/models", { key });
    expect(models.status).toBe(200);
    expect(models.body.candidates).toEqual([
      expect.objectContaining({ id: attached.body.fine_tuned_model, fine_tune_provider: p.provider, job_id: attached.body.id, status: "candidate" }),
    ]);
    const list = await api("/api/jobs", { key });
    expect(list.body.data).toEqual([expect.objectContaining({ id: attached.body.id, state: "succeeded", provider_job_id: providerJobId })]);
  });

  it("answers 200 with the same job when the provider job is attached again", async () => {
    const { key } = await createTenant();
    const run = uniqueRun(`attach-again-${p.provider}`);
    await jobRun(run);
    const providerJobId = await p.createProviderJob(run);
    await advanceClock(run, PAST_THE_END_MS);

    const first = await attach(key, run, { provider: p.provider, provider_job_id: providerJobId });
    expect(first.status).toBe(201);
    // Another request (no Idempotency-Key, another body): the index finds the provider job.
    const again = await attach(key, run, { provider: p.provider, provider_job_id: providerJobId, evaluate: true });
    expect(again.status, again.text).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.state).toBe("succeeded");
    expect((await api("/api/jobs", { key })).body.data).toHaveLength(1);
    expect((await api("/api/models", { key })).body.models).toHaveLength(1);
  });

  it("replays the first answer for the same Idempotency-Key and body", async () => {
    const { key } = await createTenant();
    const run = uniqueRun(`attach-idem-${p.provider}`);
    await jobRun(run);
    const providerJobId = await p.createProviderJob(run);
    const body = { provider: p.provider, provider_job_id: providerJobId };

    const first = await attach(key, run, body, { "Idempotency-Key": "attach-once" });
    const second = await attach(key, run, body, { "Idempotency-Key": "attach-once" });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get("Idempotent-Replayed")).toBe("true");
    expect(second.body.id).toBe(first.body.id);
    const other = await attach(key, run, { ...body, evaluate: true }, { "Idempotency-Key": "attach-once" });
    expect(other.status).toBe(409);
    expect(errorOf(other).code).toBe("idempotency_conflict");
  });

  it("answers a clear 404 for a provider job id the provider does not know, and tracks nothing", async () => {
    const { key } = await createTenant();
    const run = uniqueRun(`attach-unknown-${p.provider}`);
    await jobRun(run);
    const res = await attach(key, run, { provider: p.provider, provider_job_id: p.unknownId });
    expect(res.status, res.text).toBe(404);
    expect(errorOf(res)).toMatchObject({ code: "not_found", details: { provider: p.provider, provider_job_id: p.unknownId } });
    expect(errorOf(res).message).toContain(p.unknownId);
    expect((await api("/api/jobs", { key })).body.data).toEqual([]);
  });
});
