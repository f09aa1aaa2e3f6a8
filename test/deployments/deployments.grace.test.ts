import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { advanceClock } from "../../src/lib/clock";
import { activeModelKey } from "../../src/programs/models";
import { api, bindings, createTenant } from "../helpers/api";
import { uniqueRun } from "../helpers/emulator";
import { deploy, deployRun, driveDeployment, stubOf, togetherStudent } from "../helpers/deployments";
import { assertNoSecretLeaked, registerSecret } from "../helpers/secrets";
import { webhookReceiver } from "../helpers/webhooks";

/** DEPLOYMENT_GRACE_MINUTES in wrangler.jsonc: a day. */
const GRACE_MS = 24 * 60 * 60_000;

async function subscribedEndpoint(key: string) {
  const receiver = await webhookReceiver([200]);
  const res = await api("/api/webhooks", { method: "POST", key, json: { url: receiver.url, events: ["deployment.*"] } });
  expect(res.status, res.text).toBe(201);
  assertNoSecretLeaked();
  registerSecret(res.body.secret);
  return res.body.id as string;
}

async function eventIds(key: string, endpointId: string): Promise<string[]> {
  const res = await api(`/api/webhooks/${endpointId}/deliveries`, { key });
  return (res.body.data as Array<{ event_id: string }>).map((d) => d.event_id).sort();
}

describe("a deployment whose model serves nothing", () => {
  it("is stopped once the grace period has passed with its model not active, with deployment.stopped to the tenant's webhooks", async () => {
    const { id: tenantId, key } = await createTenant();
    const endpointId = await subscribedEndpoint(key);
    const run = uniqueRun("deploy-grace");
    await deployRun(run);
    const model = await togetherStudent(key, run);
    const created = await deploy(key, run, model, { idle_minutes: 0 });
    const id = created.body.id;
    await driveDeployment(tenantId, id, run);
    expect(await eventIds(key, endpointId)).toEqual([`evt_${id}_ready`]);

    // Within the grace period the watch leaves it serving.
    advanceClock(GRACE_MS / 2);
    await runDurableObjectAlarm(stubOf(tenantId, id));
    expect((await stubOf(tenantId, id).get())!.state).toBe("ready");

    advanceClock(GRACE_MS);
    await runDurableObjectAlarm(stubOf(tenantId, id));
    const { deployment } = await driveDeployment(tenantId, id, run);
    expect(deployment).toMatchObject({ state: "stopped", stop_reason: "unused" });
    expect(await eventIds(key, endpointId)).toEqual([`evt_${id}_ready`, `evt_${id}_stopped`]);
  });

  it("keeps serving past the grace period while its model is the tenant's active one", async () => {
    const { id: tenantId, key } = await createTenant();
    const run = uniqueRun("deploy-active");
    await deployRun(run);
    const model = await togetherStudent(key, run);
    const created = await deploy(key, run, model, { idle_minutes: 0 });
    await driveDeployment(tenantId, created.body.id, run);
    await bindings.MODELS.put(activeModelKey(tenantId), JSON.stringify({ version: 1, model, provider: "together" }));

    advanceClock(GRACE_MS * 2);
    await runDurableObjectAlarm(stubOf(tenantId, created.body.id));
    expect((await stubOf(tenantId, created.body.id).get())!.state).toBe("ready");
  });
});
