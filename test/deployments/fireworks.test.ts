import { env } from "cloudflare:workers";
import { evictDurableObject, runDurableObjectAlarm } from "cloudflare:test";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { FireworksDeploymentProvider } from "../../src/deployments/fireworks";
import type { DeploymentSpec } from "../../src/deployments/types";
import { baseDeploymentId, type BaseDeploymentView } from "../../src/durable/base-deployment";
import type { Bindings } from "../../src/env";
import { ApiError } from "../../src/errors";
import { advanceClock as advanceTestClock } from "../../src/lib/clock";
import { EMULATOR_ORIGIN, advanceClock, configureRun, emulatorFetch, runStats } from "../helpers/emulator";
import type { RunConfigInput } from "../helpers/emulator";
import { testEnv } from "../llm/helpers";
import { bodyOf, FW_BASE, fireworksRun, trainedLoras } from "./fireworks-helpers";

const bindings = env as Bindings;
const ask = { messages: [{ role: "user" as const, content: "Context: The Rhine flows through Basel. Question: Which city does the Rhine flow through?" }] };

/** A run and account of their own, `n` trained LoRAs, and a provider whose calls are scoped to the run. */
async function setup(n: number, config: RunConfigInput = {}, addonLimit?: number) {
  const ctx = await fireworksRun(config);
  const names = Array.from({ length: n }, (_, i) => `lora-${i}`);
  const models = await trainedLoras(ctx, names);
  const provider = new FireworksDeploymentProvider(testEnv({ FIREWORKS_ACCOUNT_ID: ctx.account }), { requestId: `${ctx.run}:deploy`, ...(addonLimit ? { addonLimit } : {}) });
  const spec = (i: number, shared = true): DeploymentSpec => ({
    deployment_id: `dep_${ctx.run}_${i}`,
    tenant_id: `tenant_${i}`,
    model: models[i]!,
    base_model: FW_BASE,
    profile: "fireworks-1x-h100",
    min_replicas: 1,
    max_replicas: 1,
    idle_minutes: 60,
    shared,
  });
  const ns = bindings.BASE_DEPLOYMENT;
  const stub = ns.get(ns.idFromName(`${ctx.account}/${FW_BASE}`));
  const view = () => stub.state() as Promise<BaseDeploymentView>;
  const alarm = () => runDurableObjectAlarm(stub);
  const chat = (model: string) =>
    new OpenAI({ apiKey: "fw", baseURL: `${EMULATOR_ORIGIN}/fireworks/inference/v1`, fetch: emulatorFetch, maxRetries: 0, defaultHeaders: { "X-Emulator-Run": ctx.run } })
      .chat.completions.create({ model, ...ask })
      .then((r) => r.model)
      .catch((e: unknown) => (e as { status?: number }).status ?? e);
  const deployments = async () => (await bodyOf<{ deployments: Array<{ name: string; state: string }> }>(await ctx.call("GET", "/deployments?showDeleted=true"))).deployments;
  const addons = async () => (await bodyOf<{ deployedModels: Array<{ name: string; model: string; state: string }> }>(await ctx.call("GET", "/deployedModels"))).deployedModels;
  return { ...ctx, models, provider, spec, stub, view, alarm, chat, deployments, addons, baseId: baseDeploymentId(FW_BASE, 1) };
}

describe("Fireworks deployments: LoRA addons on a shared base deployment", () => {
  it("serves two tenants' adapters on one base; stopping one unloads only it and the base stays up; the last stop deletes the base", async () => {
    const t = await setup(2);
    const [a, b] = [t.spec(0), t.spec(1)];
    expect(await t.provider.create(a)).toMatchObject({ state: "provisioning", inference_model: null });
    expect(await t.provider.create(b)).toMatchObject({ state: "provisioning" });
    expect((await t.view()).base).toMatchObject({ state: "creating", provider_id: t.baseId, generation: 1 });

    await advanceClock(t.run, 60_000);
    expect(await t.alarm()).toBe(true); // READY: both loads sent
    await advanceClock(t.run, 10_000);
    expect(await t.alarm()).toBe(true); // both DEPLOYED
    const base = `accounts/${t.account}/deployments/${t.baseId}`;
    const [sa, sb] = [await t.provider.status(a, "x"), await t.provider.status(b, "x")];
    expect(sa).toMatchObject({ state: "ready", inference_model: `${t.models[0]}#${base}`, provider_id: expect.stringContaining("/deployedModels/") });
    expect(sb).toMatchObject({ state: "ready", inference_model: `${t.models[1]}#${base}` });
    expect((await t.deployments()).map((d) => d.name)).toEqual([base]);
    expect(await t.chat(sa.inference_model!)).toBe(sa.inference_model);
    expect(await t.chat(sb.inference_model!)).toBe(sb.inference_model);

    expect(await t.provider.stop(a, sa.provider_id!)).toMatchObject({ state: "stopping" });
    await advanceClock(t.run, 10_000);
    await t.alarm();
    expect(await t.provider.status(a, sa.provider_id!)).toMatchObject({ state: "stopped", inference_model: null });
    expect(await t.chat(sa.inference_model!)).toBe(404);
    expect(await t.chat(sb.inference_model!)).toBe(sb.inference_model);
    expect((await t.deployments()).map((d) => d.state)).toEqual(["READY"]);
    expect((await t.view()).base?.state).toBe("ready");

    await t.provider.stop(b, sb.provider_id!);
    await advanceClock(t.run, 10_000);
    await t.alarm(); // b unloaded → the base is asked to delete
    expect((await t.deployments()).map((d) => d.state)).toEqual(["DELETING"]);
    await advanceClock(t.run, 30_000);
    await t.alarm();
    expect((await t.view()).base).toMatchObject({ state: "none", generation: 2, provider_id: null });
    expect(await t.alarm()).toBe(false); // nothing left in flight: no alarm re-armed
    expect(await t.provider.status(b, "x")).toMatchObject({ state: "stopped" });
  });

  it("creates the next generation's base when a tenant deploys after the last one stopped", async () => {
    const t = await setup(2, { deployments: { provisioning_ms: 1_000, addon_load_ms: 1_000 } });
    await t.provider.create(t.spec(0));
    await advanceClock(t.run, 1_000);
    await t.alarm();
    await t.provider.stop(t.spec(0), "x");
    await advanceClock(t.run, 10_000);
    await t.alarm(); // unloaded → the base is asked to delete
    await advanceClock(t.run, 30_000);
    await t.alarm(); // DELETED: the next need takes generation 2
    expect((await t.view()).base).toMatchObject({ state: "none", generation: 2 });

    await t.provider.create(t.spec(1));
    expect((await t.view()).base).toMatchObject({ state: "creating", provider_id: baseDeploymentId(FW_BASE, 2) });
  });

  it("finds the base a crashed pass created (409 → get) and the load whose answer was lost, creating neither twice", async () => {
    const t = await setup(1);
    const base = `accounts/${t.account}/deployments/${t.baseId}`;
    // A pass created the base, then died before recording it.
    await bodyOf(await t.call("POST", `/deployments?deploymentId=${t.baseId}`, { baseModel: FW_BASE, enableAddons: true, minReplicaCount: 1 }));
    const a = t.spec(0);
    await t.provider.create(a);
    expect((await t.deployments()).map((d) => d.name)).toEqual([base]);
    await advanceClock(t.run, 60_000);
    // The load went through, but its answer was lost: the object is still "waiting".
    await bodyOf(await t.call("POST", "/deployedModels", { model: a.model, deployment: base }));
    await t.alarm();
    await advanceClock(t.run, 10_000);
    await t.alarm();

    expect(await t.provider.status(a, "x")).toMatchObject({ state: "ready", inference_model: `${a.model}#${base}` });
    expect((await t.addons()).map((m) => m.model)).toEqual([a.model]);
    const stats = await runStats(t.run);
    expect(stats.requests["POST /fireworks/v1/accounts/:account/deployedModels"]).toBe(1);
    expect(stats.requests["POST /fireworks/v1/accounts/:account/deployments"]).toBe(2); // ours, then the object's 409
  });

  it("keeps provisioning through a 429 and a 5xx from Fireworks mid-provisioning, then becomes ready with one deployment", async () => {
    const t = await setup(1);
    const a = t.spec(0);
    await t.provider.create(a);
    const config: RunConfigInput = { clock: { speed: 0 }, deployments: { provisioning_ms: 60_000, addon_load_ms: 10_000 } };

    await configureRun(t.run, { ...config, faults: { rate_429: 1 } });
    await advanceClock(t.run, 30_000);
    expect(await t.alarm()).toBe(true);
    expect((await t.view()).base).toMatchObject({ state: "creating", failures: 1, error: expect.stringContaining("rate-limiting") });
    expect(await t.provider.status(a, "x")).toMatchObject({ state: "provisioning" });

    await configureRun(t.run, { ...config, faults: { rate_500: 1 } });
    await t.alarm();
    expect((await t.view()).base).toMatchObject({ state: "creating", error: expect.any(String) });
    expect((await t.view()).base!.failures).toBeGreaterThanOrEqual(2);

    await configureRun(t.run, config);
    await advanceClock(t.run, 30_000);
    await t.alarm();
    await advanceClock(t.run, 10_000);
    await t.alarm();
    expect(await t.provider.status(a, "x")).toMatchObject({ state: "ready" });
    expect((await t.view()).base).toMatchObject({ state: "ready", failures: 0, error: null });
    expect(await t.deployments()).toHaveLength(1);
    const faults = (await runStats(t.run)).faults;
    expect(faults["429"]).toBeGreaterThanOrEqual(1);
    expect(faults["500"]).toBeGreaterThanOrEqual(1);
  });

  it("finishes with one base deployment and one addon when the object is evicted mid-provisioning", async () => {
    const t = await setup(1);
    const a = t.spec(0);
    await t.provider.create(a);
    await evictDurableObject(t.stub);
    await advanceClock(t.run, 60_000);
    expect(await t.alarm()).toBe(true);
    await evictDurableObject(t.stub);
    await advanceClock(t.run, 10_000);
    expect(await t.alarm()).toBe(true);
    expect(await t.provider.status(a, "x")).toMatchObject({ state: "ready" });
    expect(await t.deployments()).toHaveLength(1);
    expect(await t.addons()).toHaveLength(1);
  });

  it("fails the waiting adapters when the base deployment fails, and deletes the failed base", async () => {
    const t = await setup(1, { deployments: { provisioning_ms: 60_000, fail: "No NVIDIA_A100_80GB capacity." } });
    const a = t.spec(0);
    await t.provider.create(a);
    await advanceClock(t.run, 30_000);
    await t.alarm();
    expect(await t.provider.status(a, "x")).toMatchObject({ state: "failed", error: expect.stringContaining("No NVIDIA_A100_80GB capacity.") });
    await t.alarm();
    expect((await t.deployments()).map((d) => d.state)).toEqual(["DELETING"]);
  });

  it("refuses an adapter beyond the addon limit with a 409, and creates nothing for it", async () => {
    const t = await setup(2, {}, 1);
    await t.provider.create(t.spec(0));
    const err = await t.provider.create(t.spec(1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: "conflict", status: 409, message: expect.stringContaining("limit of 1 adapters") });
    expect((await t.view()).addons.map((x) => x.deployment_id)).toEqual([t.spec(0).deployment_id]);
    expect(await t.provider.find(t.spec(1))).toBeNull();
  });

  it("fails an adapter Fireworks refuses beyond its own addon limit, keeping the others serving", async () => {
    const t = await setup(2, { deployments: { provisioning_ms: 1_000, addon_load_ms: 1_000, addon_limit: 1 } });
    await t.provider.create(t.spec(0));
    await t.provider.create(t.spec(1));
    await advanceClock(t.run, 1_000);
    await t.alarm();
    await advanceClock(t.run, 1_000);
    await t.alarm();
    expect(await t.provider.status(t.spec(0), "x")).toMatchObject({ state: "ready" });
    expect(await t.provider.status(t.spec(1), "x")).toMatchObject({ state: "failed", error: expect.stringContaining("maximum of 1 LoRA addons") });
  });

  it("splits the base's hourly price equally among the adapters holding it", async () => {
    const t = await setup(2);
    await t.provider.create(t.spec(0));
    expect(await t.provider.costShare(t.spec(0))).toMatchObject({ rule: "split_equally_per_addon_hour", base_hourly_usd: 2.9, holders: 1, hourly_usd: 2.9 });
    await t.provider.create(t.spec(1));
    expect(await t.provider.costShare(t.spec(0))).toMatchObject({ holders: 2, hourly_usd: 1.45 });
    expect(await t.provider.costShare(t.spec(1))).toMatchObject({ holders: 2, hourly_usd: 1.45 });
    await t.provider.stop(t.spec(0), "x");
    expect(await t.provider.costShare(t.spec(0))).toMatchObject({ holders: 1, hourly_usd: 0 });
    expect(await t.provider.costShare(t.spec(1))).toMatchObject({ holders: 1, hourly_usd: 2.9 });
  });

  it("attributes each hour's price to the adapters that held the base during it", async () => {
    const t = await setup(2);
    await t.provider.create(t.spec(0));
    advanceTestClock(3_600_000); // an hour alone
    await t.provider.create(t.spec(1));
    advanceTestClock(3_600_000); // an hour shared
    await t.provider.stop(t.spec(0), "x");
    advanceTestClock(3_600_000); // b alone again
    // Real milliseconds pass between the calls too: a few micro-dollars at most.
    expect((await t.provider.costShare(t.spec(0))).accrued_usd).toBeCloseTo(2.9 + 1.45, 3);
    expect((await t.provider.costShare(t.spec(1))).accrued_usd).toBeCloseTo(1.45 + 2.9, 3);
  });
});

describe("Fireworks deployments: dedicated (shared: false)", () => {
  it("deploys the LoRA alone under an id derived from the deployment, serves it, and deletes it on stop", async () => {
    const t = await setup(1);
    const spec = t.spec(0, false);
    const created = await t.provider.create(spec);
    expect(created).toMatchObject({ state: "provisioning", provider_status: "CREATING", provider_id: expect.stringMatching(new RegExp(`^accounts/${t.account}/deployments/dep-`)) });
    expect(await t.provider.find(spec)).toMatchObject({ provider_id: created.provider_id });
    expect(await t.provider.create(spec)).toMatchObject({ provider_id: created.provider_id }); // a repeat finds it
    await advanceClock(t.run, 60_000);
    const ready = await t.provider.status(spec, created.provider_id!);
    expect(ready).toMatchObject({ state: "ready", inference_model: `${spec.model}#${created.provider_id}` });
    expect(await t.chat(ready.inference_model!)).toBe(ready.inference_model);
    expect((await t.view()).base).toBeNull(); // the shared object was never involved

    expect(await t.provider.stop(spec, created.provider_id!)).toMatchObject({ state: "stopping", provider_status: "DELETING" });
    await advanceClock(t.run, 30_000);
    expect(await t.provider.status(spec, created.provider_id!)).toMatchObject({ state: "stopped" });
    expect(await t.deployments()).toHaveLength(1);
  });
});
