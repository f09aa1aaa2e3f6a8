import { describe, expect, it } from "vitest";
import { createTenant } from "../helpers/api";
import { runStats, uniqueRun } from "../helpers/emulator";
import { createJob, driveJob, jobRun, readyDataset, whileOpenAITrains } from "../helpers/jobs";
import { PROVIDERS } from "./providers";

// These tests train OpenAI students: they stand on a day OpenAI still took jobs.
whileOpenAITrains();

const END_MS = 30 * 60_000;

/**
 * A job that ends 30 emulated minutes after it was created, driven alarm by alarm on the
 * emulator's clock, under the shared cadence (src/durable/poll-cadence.ts). OpenAI and Together
 * say when they expect to finish (OpenAI's `estimated_finish` read against its Date header,
 * Together's seconds remaining): their jobs wait up to 5 min while the end is far and poll just
 * after it. Fireworks says nothing: one poll a minute after the short polls of each status.
 * Events are read only when the status changed (Fireworks has no events call).
 */
describe.each(PROVIDERS)("polling a 30-minute $provider job", (p) => {
  it("sees the end within a minute of it, at most one poll a minute, events read only on a change", async () => {
    const { id: tenantId, key } = await createTenant();
    const run = uniqueRun(`ft-poll-${p.provider}`);
    await jobRun(run, { fine_tuning: { durations_ms: { validating: 60_000, queued: 60_000, running: 28 * 60_000 } } });
    const dataset = await readyDataset(key);
    const created = await createJob(key, run, { dataset: dataset.id, provider: p.provider, base_model: p.base, hyperparameters: p.hyperparameters });
    const { job, alarms, elapsedMs, delays } = await driveJob(tenantId, created.body.id, run);

    expect(job.state).toBe("succeeded");
    expect(elapsedMs).toBeGreaterThanOrEqual(END_MS);
    // Seen within a steady interval (60 s + 5 % jitter) of the end; a few seconds of upload before the clock started.
    expect(elapsedMs - END_MS).toBeLessThanOrEqual(63_000 + 5_000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(5 * 60_000);
    // The short polls after each change (3 statuses × 3), then at most one a minute.
    expect(alarms).toBeLessThanOrEqual(9 + 30);
    if (p.provider !== "fireworks") expect(alarms).toBeLessThanOrEqual(20);

    const stats = await runStats(run);
    const eventReads = Object.entries(stats.requests).filter(([k]) => k.endsWith("/events")).reduce((a, [, n]) => a + n, 0);
    // One read per status the poll saw change (validating, queued, running, succeeded at most; Together has finer ones).
    expect(eventReads).toBeLessThanOrEqual(6);
    if (p.provider !== "fireworks") expect(eventReads).toBeGreaterThanOrEqual(2);
  });
});
