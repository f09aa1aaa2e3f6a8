import { createExecutionContext, createScheduledController, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { runScheduled } from "../../src/cron/scheduled";
import type { Bindings } from "../../src/env";
import { advanceClock } from "../../src/lib/clock";
import { createTenant, bindings } from "../helpers/api";
import { uniqueRun } from "../helpers/emulator";
import { deploy, deployRun, driveDeployment, firstStepDone, stubOf, togetherStudent } from "../helpers/deployments";

/** The cron as the platform runs it, with queues that record nothing (other files' tenants may be swept too). */
async function cron() {
  const quiet = { send: async () => undefined, sendBatch: async () => undefined } as unknown as Queue;
  const env = { ...bindings, LABEL_QUEUE: quiet, INGEST_QUEUE: quiet } as Bindings;
  const ctx = createExecutionContext();
  await runScheduled(createScheduledController({ scheduledTime: Date.now(), cron: "*/15 * * * *" }), env, ctx);
  await waitOnExecutionContext(ctx);
}

describe("the sweeper and deployments", () => {
  it("sets the alarm of a deployment whose object went quiet mid-provisioning, and it finishes", async () => {
    const { id: tenantId, key } = await createTenant();
    const run = uniqueRun("deploy-sweep");
    await deployRun(run);
    const model = await togetherStudent(key, run);
    const created = await deploy(key, run, model);
    await firstStepDone(tenantId, created.body.id);
    // The alarm is lost (as after a platform incident): nothing would poll it again.
    await runInDurableObject(stubOf(tenantId, created.body.id), (_i, state) => state.storage.deleteAlarm());
    advanceClock(31 * 60_000);

    await cron();
    expect(await runInDurableObject(stubOf(tenantId, created.body.id), (_i, state) => state.storage.getAlarm())).not.toBeNull();
    const { deployment } = await driveDeployment(tenantId, created.body.id, run);
    expect(deployment.state).toBe("ready");
  });
});
