import { describe, expect, it } from "vitest";
import { createTenant } from "../helpers/api";
import { runStats, uniqueRun } from "../helpers/emulator";
import { createJob, driveJob, jobRun, readyDataset, whileOpenAITrains } from "../helpers/jobs";
import { PROVIDERS } from "./providers";

// These tests train OpenAI students: they stand on a day OpenAI still took jobs.
whileOpenAITrains();

/**
 * A job that trains for 30 emulated minutes. Polling every 15 s would cost ~120 polls (240 calls
 * with events); the backoff (15 s growing ×1.6 to a 5 min cap, restarting short on each change
 * of our own status) needs 37 on OpenAI, 33 on Together (no validating phase) and 22 on
 * Fireworks (no events API; a dataset created and uploaded per split).
 */
const MAX_PROVIDER_CALLS = 40;

describe.each(PROVIDERS)("polling a 30-minute $provider job", (p) => {
  it(`makes at most ${MAX_PROVIDER_CALLS} provider calls from upload to succeeded`, async () => {
    const { id: tenantId, key } = await createTenant();
    const run = uniqueRun(`ft-poll-${p.provider}`);
    await jobRun(run, { fine_tuning: { durations_ms: { validating: 60_000, queued: 60_000, running: 28 * 60_000 } } });
    const dataset = await readyDataset(key);
    const created = await createJob(key, run, { dataset: dataset.id, provider: p.provider, base_model: p.base, hyperparameters: p.hyperparameters });
    const { job, alarms, elapsedMs, delays } = await driveJob(tenantId, created.body.id, run);

    expect(job.state).toBe("succeeded");
    expect(elapsedMs).toBeGreaterThanOrEqual(30 * 60_000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(5 * 60_000 * 1.1);
    const stats = await runStats(run);
    const calls = Object.values(stats.requests).reduce((a, b) => a + b, 0);
    // Every jitter at its shortest gives 17 polls over these phases (bench/poll.ts's schedule); one more for a phase edge.
    expect(alarms).toBeLessThanOrEqual(18);
    expect(calls).toBeLessThanOrEqual(MAX_PROVIDER_CALLS);
  });
});
