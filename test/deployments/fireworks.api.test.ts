import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { baseDeploymentId } from "../../src/durable/base-deployment";
import { api, bindings, createTenant } from "../helpers/api";
import { deploy, driveDeployment } from "../helpers/deployments";
import { advanceClock, callEmulator, uniqueRun } from "../helpers/emulator";
import { bodyOf, FW_BASE, fireworksRun, trainedLoras } from "./fireworks-helpers";

/**
 * Through the API: a Fireworks student attached from its job, deployed (shared by default), ready with
 * `<model>#<base deployment>`, servable, answering on Fireworks' route; stopped, unservable. The test
 * env has no Fireworks account, so the objects use the emulator's "local" account, as
 * fireworks.model-deployment.test.ts does: each leaves the shared base deleted.
 */
describe("deploying a Fireworks student through the API", () => {
  it("loads it on the shared base, makes it servable with <model>#<deployment>, and unservable once stopped", async () => {
    const { id: tenantId, key } = await createTenant();
    const ctx = await fireworksRun();
    const name = `api-${uniqueRun("s").slice(-8)}`;
    // Trained in the "local" account the objects use.
    const localCall = (method: string, path: string, payload?: unknown) =>
      callEmulator(`/fireworks/v1/accounts/local${path}`, {
        method,
        headers: { authorization: "Bearer t", "x-emulator-run": ctx.run, ...(payload instanceof FormData ? {} : { "content-type": "application/json" }) },
        ...(payload === undefined ? {} : { body: payload instanceof FormData ? payload : JSON.stringify(payload) }),
      });
    const [lora = ""] = await trainedLoras({ run: ctx.run, account: "local", call: localCall }, [name]);
    const jobId = `ft-${name}-local`; // trainedLoras' job id: ft-<name>-<account's last 8 characters>
    const attached = await api("/api/jobs/attach", { method: "POST", key, json: { provider: "fireworks", provider_job_id: jobId }, headers: { "X-Request-Id": `${ctx.run}:attach` } });
    expect(attached.status, attached.text).toBe(201);
    expect(attached.body.fine_tuned_model).toBe(lora);

    const created = await deploy(key, ctx.run, lora);
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({ provider: "fireworks", shared: true, state: "requested" });
    // Each poll of the deployment also advances the shared base it waits on.
    const { deployment } = await driveDeployment(tenantId, created.body.id, ctx.run);
    const base = `accounts/local/deployments/${baseDeploymentId(FW_BASE, (await baseState()).generation)}`;
    expect(deployment).toMatchObject({ state: "ready", endpoint: { inference_model: `${lora}#${base}` } });
    const registry = await api("/api/models", { key });
    expect((registry.body.models as Array<{ id: string; servable: boolean }>).find((m) => m.id === lora)?.servable).toBe(true);
    const chat = await callEmulator("/fireworks/inference/v1/chat/completions", {
      method: "POST",
      headers: { authorization: "Bearer t", "content-type": "application/json", "x-emulator-run": ctx.run },
      body: JSON.stringify({ model: deployment.endpoint.inference_model, messages: [{ role: "user", content: "Which chapter covers topic 3?" }] }),
    });
    expect(chat.status).toBe(200);
    // Its cost is its share of the base, by the stated rule (alone on it: the whole price).
    const shown = await api(`/api/deployments/${created.body.id}`, { key });
    expect(shown.body.cost.share).toMatchObject({ rule: "split_equally_per_addon_hour", holders: 1 });
    expect(shown.body.cost.hourly_usd).toBe(shown.body.cost.share.base_hourly_usd);

    expect((await api(`/api/deployments/${created.body.id}/stop`, { method: "POST", key })).status).toBe(200);
    await advanceClock(ctx.run, 10_000);
    const stopped = (await driveDeployment(tenantId, created.body.id, ctx.run)).deployment;
    expect(stopped.state).toBe("stopped");
    const after = await api("/api/models", { key });
    expect((after.body.models as Array<{ id: string; servable: boolean }>).find((m) => m.id === lora)?.servable).toBe(false);
    // The base goes with its last addon.
    const ns = bindings.BASE_DEPLOYMENT;
    await advanceClock(ctx.run, 30_000);
    await runDurableObjectAlarm(ns.get(ns.idFromName(`local/${FW_BASE}`)));
    await runDurableObjectAlarm(ns.get(ns.idFromName(`local/${FW_BASE}`)));
    expect((await baseState()).state).toBe("none");
    const left = await bodyOf<{ deployedModels: Array<{ model: string }> }>(await localCall("GET", "/deployedModels"));
    expect(left.deployedModels.filter((m) => m.model === lora)).toEqual([]);
  });
});

async function baseState(): Promise<{ state: string; generation: number }> {
  const ns = bindings.BASE_DEPLOYMENT;
  const view = await ns.get(ns.idFromName(`local/${FW_BASE}`)).state();
  return { state: view.base?.state ?? "none", generation: view.base?.generation ?? 1 };
}
