import { describe, expect, it } from "vitest";
import { api, createTenant } from "../helpers/api";
import { providerCall, uniqueRun } from "../helpers/emulator";
import { createJob, driveJob, jobRun, readyDataset } from "../helpers/jobs";
import { PROVIDERS } from "./providers";

const fireworks = PROVIDERS.find((p) => p.provider === "fireworks")!;

describe("a provider 4xx while polling", () => {
  it("fails the job with the provider's message at once, without a retry loop", async () => {
    const { id: tenantId, key } = await createTenant();
    const run = uniqueRun("ft-gone");
    await jobRun(run);
    const dataset = await readyDataset(key);
    const created = await createJob(key, run, { dataset: dataset.id, provider: fireworks.provider, base_model: fireworks.base, hyperparameters: fireworks.hyperparameters });
    const { job: running } = await driveJob(tenantId, created.body.id, run, { until: (j) => j.state === "running" });

    // Someone deletes the job at the provider: the next poll gets a 404.
    const deleted = await providerCall(run, "DELETE", `/fireworks/v1/accounts/local/supervisedFineTuningJobs/${running.provider_job_id}`);
    expect(deleted.status).toBe(200);
    const { job, alarms } = await driveJob(tenantId, created.body.id, run);
    expect(alarms).toBe(1);
    expect(job.state).toBe("failed");
    expect(job.error).toMatchObject({ code: "not_found", message: expect.stringContaining(running.provider_job_id!) });
    expect(job.events.filter((e) => e.type === "retry")).toEqual([]);
    expect((await api(`/api/jobs?state=failed`, { key })).body.data.map((j: { id: string }) => j.id)).toEqual([job.id]);
  });
});
