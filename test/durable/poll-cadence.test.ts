import { describe, expect, it } from "vitest";
import { DEFAULT_CADENCE, errorDelayMs, nextPollDelayMs, pollCadence, statusChanged, type PollCadence } from "../../src/durable/poll-cadence";

const mid = () => 0.5;
const low = () => 0;
const high = () => 0.999_999;
const T0 = Date.UTC(2026, 11, 7, 12);
const MIN = 60_000;

/** Walks the cadence from a status change until `untilMs` has passed; returns the poll times (ms after the change). */
function pollTimes(untilMs: number, estimateAt: (t: number) => number | null, random = mid, cadence: PollCadence = DEFAULT_CADENCE): number[] {
  const times: number[] = [];
  let t = 0;
  for (let n = 0; t < untilMs; n++) {
    t += nextPollDelayMs({ pollsSinceChange: n, nowMs: T0 + t, estimatedFinishMs: estimateAt(t) }, cadence, random);
    times.push(t);
  }
  return times;
}

describe("the shared poll cadence", () => {
  it("polls 15, 24 and 38 s after a change, then once a minute", () => {
    const delays = [0, 1, 2, 3, 4, 20].map((n) => nextPollDelayMs({ pollsSinceChange: n, nowMs: T0 }, DEFAULT_CADENCE, mid));
    expect(delays).toEqual([15_000, 24_000, 38_400, 60_000, 60_000, 60_000]);
  });

  it("keeps its jitter within 5 %, so the steady poll stays about a minute apart", () => {
    expect(nextPollDelayMs({ pollsSinceChange: 9, nowMs: T0 }, DEFAULT_CADENCE, low)).toBe(57_000);
    expect(nextPollDelayMs({ pollsSinceChange: 9, nowMs: T0 }, DEFAULT_CADENCE, high)).toBe(63_000);
  });

  it("without an estimate, sees an end at any instant within 63 s and polls at most ~once a minute after the first minutes", () => {
    const times = pollTimes(8 * 60 * MIN, () => null, high);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(63_000);
    const afterFirstMinutes = times.filter((t) => t > 5 * MIN).length;
    expect(afterFirstMinutes).toBeLessThanOrEqual((8 * 60 - 5) * 1.0 + 1);
  });

  it("with a provider's estimate, waits up to the cap while the end is far and polls just after the estimated end", () => {
    const end = 2 * 60 * MIN;
    const times = pollTimes(end, () => T0 + end);
    // The short polls after a change first (an estimate does not make them later), then 5 min waits.
    expect(times.slice(0, 3)).toEqual([15_000, 39_000, 77_400]);
    expect(times[4]! - times[3]!).toBe(5 * MIN);
    const last = times[times.length - 1]!;
    expect(last).toBeGreaterThanOrEqual(end);
    expect(last - end).toBeLessThanOrEqual(3_000 + 750);
    // About 2 h / 5 min polls instead of 120.
    expect(times.length).toBeLessThanOrEqual(28);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(DEFAULT_CADENCE.maxMs);
  });

  it("polls once a minute again once an estimate has passed without the end", () => {
    expect(nextPollDelayMs({ pollsSinceChange: 10, nowMs: T0, estimatedFinishMs: T0 - 30_000 }, DEFAULT_CADENCE, mid)).toBe(60_000);
    // An estimate a few seconds away: the poll goes just after it, but not sooner than the first poll's delay.
    expect(nextPollDelayMs({ pollsSinceChange: 10, nowMs: T0, estimatedFinishMs: T0 + 2_000 }, DEFAULT_CADENCE, low)).toBe(15_000);
    expect(nextPollDelayMs({ pollsSinceChange: 10, nowMs: T0, estimatedFinishMs: T0 + 40_000 }, DEFAULT_CADENCE, low)).toBe(43_000);
  });

  it("never waits longer than the cap, however far the estimate (a wrong one is corrected within maxMs)", () => {
    const far = nextPollDelayMs({ pollsSinceChange: 3, nowMs: T0, estimatedFinishMs: T0 + 30 * 24 * 60 * MIN }, DEFAULT_CADENCE, high);
    expect(far).toBe(DEFAULT_CADENCE.maxMs);
    expect(nextPollDelayMs({ pollsSinceChange: 3, nowMs: T0, estimatedFinishMs: Number.NaN }, DEFAULT_CADENCE, mid)).toBe(60_000);
  });

  it("backs off failures apart from the cadence, and honours a longer Retry-After up to an hour", () => {
    expect(errorDelayMs(1, undefined, DEFAULT_CADENCE, mid)).toBe(15_000);
    expect(errorDelayMs(2, undefined, DEFAULT_CADENCE, mid)).toBe(30_000);
    expect(errorDelayMs(20, undefined, DEFAULT_CADENCE, mid)).toBe(DEFAULT_CADENCE.maxMs);
    expect(errorDelayMs(1, 120_000, DEFAULT_CADENCE, mid)).toBe(120_000);
    expect(errorDelayMs(1, 10 * 60 * MIN, DEFAULT_CADENCE, mid)).toBe(60 * MIN);
  });

  it("reads JOB_POLL_FIRST_MS and JOB_POLL_MAX_MS: the steady minute never exceeds the longest wait", () => {
    expect(pollCadence({})).toEqual(DEFAULT_CADENCE);
    expect(pollCadence({ JOB_POLL_FIRST_MS: "15000", JOB_POLL_MAX_MS: "300000" })).toEqual(DEFAULT_CADENCE);
    // The demo's 1–2 s.
    expect(pollCadence({ JOB_POLL_FIRST_MS: "1000", JOB_POLL_MAX_MS: "2000" })).toEqual({ firstMs: 1_000, steadyMs: 2_000, maxMs: 2_000 });
    expect(pollCadence({ JOB_POLL_FIRST_MS: "junk", JOB_POLL_MAX_MS: "5" })).toEqual(DEFAULT_CADENCE);
    const demo = pollCadence({ JOB_POLL_FIRST_MS: "1000", JOB_POLL_MAX_MS: "2000" });
    expect(nextPollDelayMs({ pollsSinceChange: 50, nowMs: T0, estimatedFinishMs: T0 + 60 * MIN }, demo, high)).toBe(2_000);
  });

  it("reads events only when the status moved", () => {
    expect(statusChanged("running", "running")).toBe(false);
    expect(statusChanged("running", "compressing")).toBe(true);
    expect(statusChanged(null, "queued")).toBe(true);
  });
});
