import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { beforeEach } from "vitest";
import { setClock } from "../../src/lib/clock";
import { jobStub } from "../../src/durable/fine-tune-job";
import { loadRecord } from "../../src/durable/fine-tune-job/store";
import { isTerminal } from "../../src/durable/fine-tune-job/record";
import type { JobView } from "../../src/durable/fine-tune-job/view";
import { api, bindings } from "./api";
import { advanceClock, configureRun, listEmulatorJobs, type EmulatorJobSummary, type RunConfigInput } from "./emulator";

/** A day OpenAI still took new fine-tuning jobs (its cutoff is 2027-01-06) and served its bases. */
export const WHILE_OPENAI_TRAINS = "2026-12-01T00:00:00Z";

/** Stands every test of the calling file on WHILE_OPENAI_TRAINS (the clock seam), whatever today is. */
export function whileOpenAITrains(): void {
  beforeEach(() => setClock(WHILE_OPENAI_TRAINS));
}

/** `n` small chat examples in OpenAI's fine-tuning format, one per line. */
export function exampleLines(n: number, tag = "ex"): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    lines.push(
      JSON.stringify({
        messages: [
          { role: "system", content: "You answer questions about the field guide as JSON." },
          { role: "user", content: `Question ${tag}-${i}: which chapter covers topic ${i}?` },
          { role: "assistant", content: JSON.stringify({ answer: `Chapter ${(i % 7) + 1} covers topic ${i}.`, citations: [] }) },
        ],
      }),
    );
  }
  return lines.join("\n") + "\n";
}

/** A ready dataset of imported examples (created, imported, frozen through the API). */
export async function readyDataset(key: string, opts: { examples?: number; evalFraction?: number; name?: string } = {}) {
  const name = opts.name ?? `ds-${crypto.randomUUID().slice(0, 8)}`;
  const created = await api("/api/datasets", { method: "POST", key, json: { name, eval_fraction: opts.evalFraction ?? 0.25 } });
  if (created.status !== 201) throw new Error(`dataset create failed: ${created.status} ${created.text}`);
  const id = created.body.id as string;
  const imported = await api(`/api/datasets/${id}/import`, {
    method: "POST",
    key,
    headers: { "Content-Type": "application/x-ndjson" },
    body: exampleLines(opts.examples ?? 40, name),
  });
  if (imported.status !== 200) throw new Error(`import failed: ${imported.status} ${imported.text}`);
  const frozen = await api(`/api/datasets/${id}/freeze`, { method: "POST", key });
  if (frozen.status !== 200) throw new Error(`freeze failed: ${frozen.status} ${frozen.text}`);
  return frozen.body as { id: string; name: string; files: Record<string, { lines: number; sha256: string }> };
}

/** Emulator run settings for job tests: a frozen clock (only alarms move it) and short phases. */
export async function jobRun(run: string, extra: RunConfigInput = {}) {
  return configureRun(run, {
    clock: { speed: 0 },
    fine_tuning: { durations_ms: { validating: 60_000, queued: 60_000, running: 600_000 } },
    ...extra,
  });
}

/** Creates a job through the API with the run's request id, so every provider call lands in that run. */
export async function createJob(key: string, run: string, json: Record<string, unknown>, headers: Record<string, string> = {}) {
  return api<JobView & { webhook_secret?: string }>("/api/jobs", {
    method: "POST",
    key,
    json,
    headers: { "X-Request-Id": `${run}:create-${crypto.randomUUID().slice(0, 6)}`, ...headers },
  });
}

export function stubOf(tenantId: string, jobId: string) {
  return jobStub(bindings, tenantId, jobId);
}

/** When the job's alarm is set (ms since epoch), or null. */
export function alarmAt(tenantId: string, jobId: string): Promise<number | null> {
  return runInDurableObject(stubOf(tenantId, jobId), (_i, state) => state.storage.getAlarm());
}

/**
 * Waits for the step start() began in the background, if it has not finished. A job whose first
 * step is done has its next poll scheduled (`poll.next_at`) or is over; the check and the call are
 * one turn inside the object, so the step cannot finish in between. The object's alarm() waits for
 * a step in flight without stepping again; in an object evicted mid-step it takes the step up, as
 * the platform's safety-net alarm would.
 */
export async function firstStepDone(tenantId: string, jobId: string): Promise<void> {
  await runInDurableObject(stubOf(tenantId, jobId), async (instance, state) => {
    const job = loadRecord(state.storage.sql);
    if (job && !isTerminal(job.state) && job.poll.next_at === null) await instance.alarm();
  });
}

/** Runs the job's alarm now, as the platform does when it is due; returns once its step is over. */
async function runAlarmNow(tenantId: string, jobId: string): Promise<void> {
  const stub = stubOf(tenantId, jobId);
  if (await runDurableObjectAlarm(stub)) return;
  // The platform fired it first (its delay passed in real time while the test was busy): wait for
  // that step. alarm() waits for a step in flight without stepping again.
  await runInDurableObject(stub, async (instance, state) => {
    if ((await state.storage.getAlarm()) === null) await instance.alarm();
  });
}

export interface DriveResult {
  job: JobView;
  alarms: number;
  /** Emulated ms the clock moved while driving. */
  elapsedMs: number;
  /** The delay each alarm was scheduled with, in order. */
  delays: number[];
}

/**
 * Runs the job's alarms one by one, moving the emulator's clock by each alarm's delay first
 * (the provider sees exactly the time the job waited), once the first step (begun by start()
 * in the background) is done. Stops when no alarm is set, when `until` holds, or after `maxAlarms`.
 */
export async function driveJob(
  tenantId: string,
  jobId: string,
  run: string,
  opts: { maxAlarms?: number; until?: (job: JobView) => boolean; maxElapsedMs?: number } = {},
): Promise<DriveResult> {
  const stub = stubOf(tenantId, jobId);
  let alarms = 0;
  let elapsedMs = 0;
  const delays: number[] = [];
  await firstStepDone(tenantId, jobId);
  for (;;) {
    const job = (await stub.get())!;
    if (opts.until?.(job)) return { job, alarms, elapsedMs, delays };
    const at = await alarmAt(tenantId, jobId);
    if (at === null || alarms >= (opts.maxAlarms ?? 200)) return { job, alarms, elapsedMs, delays };
    const delay = Math.max(0, at - Date.now());
    if (opts.maxElapsedMs !== undefined && elapsedMs + delay > opts.maxElapsedMs) return { job, alarms, elapsedMs, delays };
    delays.push(delay);
    if (delay > 0) await advanceClock(run, delay);
    elapsedMs += delay;
    await runAlarmNow(tenantId, jobId);
    alarms++;
  }
}

/** How many fine-tuning jobs the emulator holds for this run and provider. */
export async function providerJobCount(run: string, provider: EmulatorJobSummary["provider"]): Promise<number> {
  return (await listEmulatorJobs(provider, run)).length;
}
