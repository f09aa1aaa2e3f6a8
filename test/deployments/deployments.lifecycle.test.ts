import { evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { openTenant } from "../../src/durable/tenant";
import { api, bindings, createTenant } from "../helpers/api";
import { callEmulator, configureRun, uniqueRun } from "../helpers/emulator";
import {
  deploy,
  deployRun,
  driveDeployment,
  emulatorDeployments,
  failEmulatorDeployment,
  firstStepDone,
  PROVISIONING_MS,
  readRecord,
  stubOf,
  togetherStudent,
  writeRecord,
} from "../helpers/deployments";

async function setup(extra: Parameters<typeof deployRun>[1] = {}) {
  const { id: tenantId, key } = await createTenant();
  const run = uniqueRun("deploy");
  await deployRun(run, extra);
  const model = await togetherStudent(key, run);
  return { tenantId, key, run, model };
}

async function registryEntry(key: string, model: string) {
  const registry = await api("/api/models", { key });
  return (registry.body.models as Array<{ id: string; servable: boolean }>).find((m) => m.id === model);
}

describe("deploying a Together student", () => {
  it("provisions a dedicated deployment, then the model is servable and its endpoint answers as the fine-tune", async () => {
    const { tenantId, key, run, model } = await setup();
    expect((await registryEntry(key, model))?.servable).toBe(false);

    const created = await deploy(key, run, model, { min_replicas: 1, max_replicas: 2, idle_minutes: 60 });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({ object: "deployment", model, provider: "together", profile: "together-1x-h100", state: "requested", replicas: { min: 1, max: 2 }, idle_minutes: 60 });
    expect(created.body.cost.hourly_usd).toBe(3.36);

    const { deployment } = await driveDeployment(tenantId, created.body.id, run);
    expect(deployment.state).toBe("ready");
    expect(deployment.provider_status).toBe("READY");
    expect(deployment.timeline.map((t) => t.state)).toEqual(["requested", "provisioning", "ready"]);
    expect(deployment.endpoint.inference_model).toMatch(/^local\/distillery-.+\/student$/);

    expect((await registryEntry(key, model))?.servable).toBe(true);
    const listed = await api(`/api/deployments`, { key });
    expect(listed.body.data).toEqual([expect.objectContaining({ id: created.body.id, state: "ready", inference_model: deployment.endpoint.inference_model })]);

    // The provider's OpenAI-compatible route answers with the deployment's name.
    const chat = await callEmulator("/together/v1/chat/completions", {
      method: "POST",
      headers: { authorization: "Bearer t", "content-type": "application/json", "x-emulator-run": run },
      body: JSON.stringify({ model: deployment.endpoint.inference_model, messages: [{ role: "user", content: "Which chapter covers topic 3?" }] }),
    });
    expect(chat.status).toBe(200);
    expect(((await chat.json()) as { model: string }).model).toBe(deployment.endpoint.inference_model);
    expect(await emulatorDeployments(run)).toHaveLength(1);

    // Its standing cost beside the teacher's: 2 teacher calls of 500 + 200 tokens at gpt-6.1-sol's $2/$10 per 1M.
    using tenant = openTenant(bindings, tenantId);
    await tenant.usage.record([
      { model: "gpt-6.1-sol", kind: "chat", prompt_tokens: 500, completion_tokens: 200, cost_usd: 0.003 },
      { model: "gpt-6.1-sol", kind: "chat", prompt_tokens: 500, completion_tokens: 200, cost_usd: 0.003 },
    ]);
    const detail = await api(`/api/deployments/${created.body.id}`, { key });
    expect(detail.status, detail.text).toBe(200);
    expect(detail.body.standing).toEqual({
      hourly_usd: 3.36,
      daily_usd: 80.64,
      tenant_hourly_usd: 3.36,
      teacher: { model: "gpt-6.1-sol", spend_30d_usd: 0.006, cost_per_1k_answers_usd: 3 },
      tokens_per_answer: { prompt: 500, completion: 200, source: "teacher_usage" },
      break_even_requests_per_day: 26_880,
    });

    // Deploying again while it is live answers with the same deployment.
    const again = await deploy(key, run, model);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(created.body.id);
    expect(await emulatorDeployments(run)).toHaveLength(1);
  });

  it("fails when the provider fails it mid-provisioning, and the model stays unservable", async () => {
    const { tenantId, key, run, model } = await setup();
    const created = await deploy(key, run, model);
    await firstStepDone(tenantId, created.body.id);
    const [held] = await emulatorDeployments(run);
    await failEmulatorDeployment(held!.id, "Insufficient H100 capacity in every region.");

    const { deployment } = await driveDeployment(tenantId, created.body.id, run);
    expect(deployment.state).toBe("failed");
    expect(deployment.error).toEqual({ code: "provider_failed", message: "Insufficient H100 capacity in every region." });
    expect((await registryEntry(key, model))?.servable).toBe(false);
    // A failed deployment has nothing to stop.
    expect((await api(`/api/deployments/${created.body.id}/stop`, { method: "POST", key })).status).toBe(409);
  });

  it("rides out a 429 and then a 5xx mid-provisioning, retrying with backoff until ready", async () => {
    const { tenantId, key, run, model } = await setup();
    const created = await deploy(key, run, model);
    await firstStepDone(tenantId, created.body.id);

    await deployRun(run, { faults: { seed: 1, rate_429: 1 } });
    let d = (await driveDeployment(tenantId, created.body.id, run, { maxAlarms: 1 })).deployment;
    expect(d.state).toBe("provisioning");
    expect(d.last_error).toContain("rate-limiting");

    await deployRun(run, { faults: { seed: 1, rate_500: 1 } });
    d = (await driveDeployment(tenantId, created.body.id, run, { maxAlarms: 1 })).deployment;
    expect(d.state).toBe("provisioning");
    expect(d.last_error).toContain("500");
    expect((await readRecord(tenantId, created.body.id)).poll.failures).toBe(2);

    await deployRun(run);
    d = (await driveDeployment(tenantId, created.body.id, run)).deployment;
    expect(d.state).toBe("ready");
    expect(d.last_error).toBeNull();
    expect(await emulatorDeployments(run)).toHaveLength(1);
  });

  it("stops on request: stopping, then stopped, and the model is no longer servable", async () => {
    const { tenantId, key, run, model } = await setup();
    const created = await deploy(key, run, model);
    await driveDeployment(tenantId, created.body.id, run, { until: (d) => d.state === "ready" });
    expect((await registryEntry(key, model))?.servable).toBe(true);

    const stopping = await api(`/api/deployments/${created.body.id}/stop`, { method: "POST", key });
    expect(stopping.status, stopping.text).toBe(200);
    expect(stopping.body).toMatchObject({ state: "stopping", stop_reason: "requested" });
    const { deployment } = await driveDeployment(tenantId, created.body.id, run);
    expect(deployment.state).toBe("stopped");
    expect(deployment.timeline.map((t) => t.state)).toEqual(["requested", "provisioning", "ready", "stopping", "stopped"]);
    expect(deployment.cost.so_far_usd).toBeGreaterThan(0);
    expect((await registryEntry(key, model))?.servable).toBe(false);
    const [held] = await emulatorDeployments(run);
    expect(held!.status.state).toBe("DEPLOYMENT_STATE_STOPPED");
    // Repeat-safe.
    expect((await api(`/api/deployments/${created.body.id}/stop`, { method: "POST", key })).body.state).toBe("stopped");
  });

  it("finishes with one provider deployment when its object is evicted mid-provisioning", async () => {
    const { tenantId, key, run, model } = await setup();
    const created = await deploy(key, run, model);
    await driveDeployment(tenantId, created.body.id, run, { until: (d) => d.state === "provisioning" });
    await evictDurableObject(stubOf(tenantId, created.body.id));
    const { deployment } = await driveDeployment(tenantId, created.body.id, run);
    expect(deployment.state).toBe("ready");
    expect(await emulatorDeployments(run)).toHaveLength(1);
  });

  it("finds the deployment a crash left behind (created at the provider, its id never saved) instead of creating another", async () => {
    const { tenantId, key, run, model } = await setup();
    const created = await deploy(key, run, model);
    await firstStepDone(tenantId, created.body.id);
    expect(await emulatorDeployments(run)).toHaveLength(1);

    // The crash: the provider answered, the object died before saving the id.
    const rec = await readRecord(tenantId, created.body.id);
    expect(rec.create_attempted).toBe(true);
    await writeRecord(tenantId, created.body.id, { ...rec, provider_id: null, state: "requested", poll: { ...rec.poll, next_at: new Date(Date.now() + 1000).toISOString() } });
    await evictDurableObject(stubOf(tenantId, created.body.id));

    const { deployment } = await driveDeployment(tenantId, created.body.id, run);
    expect(deployment.state).toBe("ready");
    expect(deployment.timeline.some((t) => t.detail?.includes("found the together deployment created before a restart"))).toBe(true);
    expect(await emulatorDeployments(run)).toHaveLength(1);
  });

  it("provisions for the emulated minutes the run sets", async () => {
    const { tenantId, key, run, model } = await setup();
    await configureRun(run, { clock: { speed: 0 }, deployments: { provisioning_ms: PROVISIONING_MS * 2 } });
    const created = await deploy(key, run, model);
    const { deployment, alarms } = await driveDeployment(tenantId, created.body.id, run);
    expect(deployment.state).toBe("ready");
    expect(deployment.ready_at! - deployment.created_at).toBeGreaterThanOrEqual(0);
    expect(alarms).toBeGreaterThan(1);
  });
});
