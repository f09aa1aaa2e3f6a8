import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { deploymentStub } from "../../src/durable/model-deployment";
import type { DeploymentRecord } from "../../src/durable/model-deployment/record";
import type { DeploymentView } from "../../src/durable/model-deployment/view";
import { api, bindings } from "./api";
import { advanceClock, callEmulator, configureRun, providerCall, type RunConfigInput } from "./emulator";
import { exampleLines } from "./jobs";

export const TOGETHER_BASE = "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference";
/** Emulated provisioning time in these tests. */
export const PROVISIONING_MS = 120_000;

/** A run with a frozen clock (only the tests move it), short fine-tunes and short provisioning. */
export async function deployRun(run: string, extra: RunConfigInput = {}) {
  return configureRun(run, {
    clock: { speed: 0 },
    fine_tuning: { durations_ms: { validating: 1_000, queued: 1_000, running: 10_000 } },
    deployments: { provisioning_ms: PROVISIONING_MS },
    ...extra,
  });
}

async function json<T>(res: Response): Promise<T> {
  const text = await res.text();
  if (!res.ok) throw new Error(`call failed: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/**
 * A Together student in the tenant's registry: a job trained straight at the emulated provider in
 * `run`, then attached (a finished job is registered at once). Returns the model's id.
 */
export async function togetherStudent(key: string, run: string): Promise<string> {
  const form = new FormData();
  form.append("file", new File([exampleLines(8, "deploy")], "deploy-train.jsonl"));
  form.append("file_name", "deploy-train.jsonl");
  form.append("purpose", "fine-tune");
  form.append("file_type", "jsonl");
  const file = await json<{ id: string }>(await providerCall(run, "POST", "/together/v1/files/upload", form));
  const job = await json<{ id: string }>(await providerCall(run, "POST", "/together/v1/fine-tunes", { training_file: file.id, model: TOGETHER_BASE, n_epochs: 1, suffix: "dep" }));
  await advanceClock(run, 60_000);
  const attached = await api("/api/jobs/attach", { method: "POST", key, json: { provider: "together", provider_job_id: job.id }, headers: { "X-Request-Id": `${run}:attach` } });
  if (attached.status !== 201 || !attached.body.fine_tuned_model || !attached.body.model_registered) throw new Error(`attach failed: ${attached.status} ${attached.text}`);
  return attached.body.fine_tuned_model as string;
}

/** POST /api/models/{id}/deploy with the run's request id, so the object's provider calls land in the run. */
export function deploy(key: string, run: string, model: string, body: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  return api<DeploymentView>(`/api/models/${encodeURIComponent(model)}/deploy`, {
    method: "POST",
    key,
    json: body,
    headers: { "X-Request-Id": `${run}:deploy-${crypto.randomUUID().slice(0, 6)}`, ...headers },
  });
}

export const stubOf = (tenantId: string, id: string) => deploymentStub(bindings, tenantId, id);

export function readRecord(tenantId: string, id: string): Promise<DeploymentRecord> {
  return runInDurableObject(stubOf(tenantId, id), (_i, state) => {
    const row = state.storage.sql.exec<{ record: string }>("SELECT record FROM deployment WHERE id = 1").one();
    return JSON.parse(row.record) as DeploymentRecord;
  });
}

export function writeRecord(tenantId: string, id: string, rec: DeploymentRecord): Promise<void> {
  return runInDurableObject(stubOf(tenantId, id), (_i, state) => {
    state.storage.sql.exec("UPDATE deployment SET record = ? WHERE id = 1", JSON.stringify(rec));
  });
}

/** Waits for the step start() began in the background (taking it up in an object evicted mid-step). */
export async function firstStepDone(tenantId: string, id: string): Promise<void> {
  await runInDurableObject(stubOf(tenantId, id), async (instance, state) => {
    const row = state.storage.sql.exec<{ record: string }>("SELECT record FROM deployment WHERE id = 1").toArray()[0];
    const rec = row ? (JSON.parse(row.record) as DeploymentRecord) : null;
    if (rec && rec.poll.next_at === null && rec.state !== "failed" && rec.state !== "stopped") await instance.alarm();
  });
}

async function runAlarmNow(tenantId: string, id: string): Promise<void> {
  const stub = stubOf(tenantId, id);
  if (await runDurableObjectAlarm(stub)) return;
  await runInDurableObject(stub, async (instance, state) => {
    if ((await state.storage.getAlarm()) === null) await instance.alarm();
  });
}

/**
 * Runs the deployment's alarms one by one, moving the run's emulated clock by each alarm's delay
 * first, until `until` holds (by default: ready, failed or stopped), no alarm is set, or `maxAlarms` ran.
 */
export async function driveDeployment(
  tenantId: string,
  id: string,
  run: string,
  opts: { until?: (d: DeploymentView) => boolean; maxAlarms?: number } = {},
): Promise<{ deployment: DeploymentView; alarms: number }> {
  const stub = stubOf(tenantId, id);
  await firstStepDone(tenantId, id);
  let alarms = 0;
  for (;;) {
    const deployment = (await stub.get())!;
    // A ready deployment keeps a (15-minute) watch alarm: by default driving stops at a settled state.
    const until = opts.until ?? ((d: DeploymentView) => d.state === "ready" || d.state === "failed" || d.state === "stopped");
    if (until(deployment)) return { deployment, alarms };
    const at = await runInDurableObject(stub, (_i, state) => state.storage.getAlarm());
    if (at === null || alarms >= (opts.maxAlarms ?? 50)) return { deployment, alarms };
    const delay = Math.max(0, at - Date.now());
    if (delay > 0) await advanceClock(run, delay);
    await runAlarmNow(tenantId, id);
    alarms++;
  }
}

/** The Together deployments the emulator holds for a run. */
export async function emulatorDeployments(run: string): Promise<Array<{ id: string; name: string; status: { state: string } }>> {
  return (await json<{ data: Array<{ id: string; name: string; status: { state: string } }> }>(await callEmulator(`/_emulator/together/deployments?run=${encodeURIComponent(run)}`))).data;
}

export async function failEmulatorDeployment(id: string, message: string): Promise<void> {
  await json(await callEmulator(`/_emulator/together/deployments/${encodeURIComponent(id)}/fail`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ message }) }));
}
