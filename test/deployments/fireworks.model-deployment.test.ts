import { env } from "cloudflare:workers";
import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { DeploymentSpec } from "../../src/deployments/types";
import { baseDeploymentId } from "../../src/durable/base-deployment";
import { deploymentStub, openDeployment } from "../../src/durable/model-deployment";
import type { Bindings } from "../../src/env";
import { nowIso } from "../../src/lib/clock";
import { advanceClock, configureRun, uniqueRun, providerCall } from "../helpers/emulator";
import { bodyOf, FW_BASE, trainedLoras } from "./fireworks-helpers";

const bindings = env as Bindings;

/**
 * The whole path: the ModelDeployment object drives the Fireworks provider, which hands a shared
 * deployment to the BaseDeployment object; each object's alarm is run by hand. The test env has no
 * Fireworks account, so the objects use the emulator's "local" account, as fireworks.api.test.ts does:
 * each leaves that shared base deleted for the other.
 */
describe("ModelDeployment with Fireworks: a shared LoRA addon from request to ready and back", () => {
  it("becomes ready with <model>#<base deployment> as its inference model, and stopping it unloads the addon", async () => {
    const run = uniqueRun("fwmd");
    await configureRun(run, { clock: { speed: 0 }, fine_tuning: { durations_ms: { validating: 1_000, queued: 1_000, running: 1_000 } }, deployments: { provisioning_ms: 60_000, addon_load_ms: 10_000 } });
    const call = (method: string, path: string, payload?: unknown) => providerCall(run, method, `/fireworks/v1/accounts/local${path}`, payload);
    const [model = ""] = await trainedLoras({ run, account: "local", call }, [`md-${run.slice(-8)}`]);
    const tenant = `tenant_${run.slice(-8)}`;
    const spec: DeploymentSpec = {
      deployment_id: `dep_${run.slice(-8)}`,
      tenant_id: tenant,
      model,
      base_model: FW_BASE,
      profile: "fireworks-1x-h100",
      min_replicas: 1,
      max_replicas: 1,
      idle_minutes: 60,
      shared: true,
    };
    const md = openDeployment(bindings, tenant, spec.deployment_id);
    const mdStub = deploymentStub(bindings, tenant, spec.deployment_id);
    const base = bindings.BASE_DEPLOYMENT.get(bindings.BASE_DEPLOYMENT.idFromName(`local/${FW_BASE}`));
    await md.start({ spec, provider: "fireworks", request_id: `${run}:md`, hourly_usd: 2.9, job_id: null, created_at: nowIso() });
    await runDurableObjectAlarm(mdStub);
    expect(await md.get()).toMatchObject({ state: "provisioning", provider: "fireworks" });

    await advanceClock(run, 60_000);
    await runDurableObjectAlarm(base);
    await advanceClock(run, 10_000);
    await runDurableObjectAlarm(base);
    await runDurableObjectAlarm(mdStub);
    const ready = await md.get();
    const generation = (await base.state()).base!.generation; // 1, or more after another file's base
    const baseName = `accounts/local/deployments/${baseDeploymentId(FW_BASE, generation)}`;
    expect(ready).toMatchObject({ state: "ready", endpoint: { inference_model: `${model}#${baseName}`, base_url: null } });

    await md.stop();
    await runDurableObjectAlarm(mdStub); // the stop is sent: the addon unloads
    await advanceClock(run, 10_000);
    await runDurableObjectAlarm(base);
    await runDurableObjectAlarm(mdStub);
    expect(await md.get()).toMatchObject({ state: "stopped" });
    const left = await bodyOf<{ deployedModels: Array<{ model: string }> }>(await call("GET", "/deployedModels"));
    expect(left.deployedModels.filter((m) => m.model === model)).toEqual([]);
    // The base went with its last addon (and the shared "local" base is left clean for fireworks.api.test.ts).
    await advanceClock(run, 30_000);
    await runDurableObjectAlarm(base);
    expect((await base.state()).base?.state).toBe("none");
  });
});
