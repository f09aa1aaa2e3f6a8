import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { deploymentStub } from "../../src/durable/model-deployment/object";
import { jobEvalId } from "../../src/durable/tenant/evals-types";
import { openJob } from "../../src/durable/fine-tune-job";
import { openTenant } from "../../src/durable/tenant";
import { indexEntry } from "../../src/jobs/launch";
import { prepareAttach } from "../../src/jobs/prepare";
import { fineTuneProviderFor } from "../../src/providers";
import { api, bindings, createTenant } from "../helpers/api";
import { advanceClock, providerCall, uniqueRun } from "../helpers/emulator";
import { createJob, exampleLines, whileOpenAITrains } from "../helpers/jobs";
import { deployRun, driveDeployment, TOGETHER_BASE } from "../helpers/deployments";

async function json<T>(res: Response): Promise<T> {
  const text = await res.text();
  if (!res.ok) throw new Error(`call failed: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

describe("a job with deploy: true", () => {
  it("deploys its student once it succeeds, the student becomes servable, and with evaluate: true its eval is queued then", async () => {
    const { id: tenantId, key } = await createTenant();
    const run = uniqueRun("job-deploy");
    await deployRun(run);
    // A Together job that has succeeded at the provider, taken up by a job object asked to deploy.
    const form = new FormData();
    form.append("file", new File([exampleLines(8, "jd")], "jd.jsonl"));
    form.append("file_name", "jd.jsonl");
    form.append("purpose", "fine-tune");
    form.append("file_type", "jsonl");
    const file = await json<{ id: string }>(await providerCall(run, "POST", "/together/v1/files/upload", form));
    const providerJob = await json<{ id: string }>(await providerCall(run, "POST", "/together/v1/fine-tunes", { training_file: file.id, model: TOGETHER_BASE, n_epochs: 1 }));
    await advanceClock(run, 60_000);
    const requestId = `${run}:job`;
    const current = await fineTuneProviderFor(bindings, "together", { requestId }).getJob(providerJob.id);
    expect(current.status).toBe("succeeded");
    const init = { ...prepareAttach(bindings, tenantId, { provider: "together", provider_job_id: providerJob.id, evaluate: true }, current, null, requestId), deploy: true };
    using tenant = openTenant(bindings, tenantId);
    await tenant.jobs.claim(indexEntry(init, "submitted"));
    const job = await openJob(bindings, tenantId, init.id).attach(init, current);
    expect(job.state).toBe("succeeded");
    expect(job.events.some((e) => e.message.startsWith(`deploying ${job.fine_tuned_model}: deployment dep_`))).toBe(true);
    // Not callable yet: the eval's id is known, and it starts when the deployment serves.
    expect(job.eval_id).toBe(await jobEvalId(job.id));
    expect(job.events.some((e) => e.message.includes("starts when deployment"))).toBe(true);

    const listed = await api("/api/deployments", { key });
    expect(listed.body.data).toEqual([expect.objectContaining({ model: job.fine_tuned_model, job_id: job.id, provider: "together" })]);
    const { deployment } = await driveDeployment(tenantId, listed.body.data[0].id, run);
    expect(deployment.state).toBe("ready");
    const registry = await api("/api/models", { key });
    expect(registry.body.models).toEqual([expect.objectContaining({ id: job.fine_tuned_model, servable: true })]);
    const record = await runInDurableObject(deploymentStub(bindings, tenantId, deployment.id), async (_o, state) =>
      JSON.parse(state.storage.sql.exec<{ record: string }>("SELECT record FROM deployment WHERE id = 1").one().record),
    );
    expect(record).toMatchObject({ evaluate: true, eval_queued: true, job_id: job.id });
  });
});

describe("a job with deploy: true, while OpenAI still trains", () => {
  whileOpenAITrains();

  it("is refused for OpenAI, whose fine-tunes need no deployment, before anything else is looked at", async () => {
    const { key } = await createTenant();
    const created = await createJob(key, uniqueRun("job-deploy-openai"), { dataset: "not-even-a-dataset", provider: "openai", base_model: "gpt-4.1-mini-2025-04-14", deploy: true });
    expect(created.status).toBe(400);
    expect(created.text).toContain("need no deployment");
  });
});
