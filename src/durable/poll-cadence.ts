// With its extension: bench/poll.ts runs this file in Node, which resolves no bare relative paths.
import { backoffMs } from "../lib/backoff.ts";

/**
 * One polling cadence for everything Distillery waits on at a provider: fine-tune jobs
 * (`FineTuneJob`) and deployments (`ModelDeployment`). Pure: the caller keeps the state (polls
 * since the status last changed, the provider's estimate) and hands the delay to its alarm.
 *
 * The aim (issue 21, measured by `npm run bench:poll`): notice a terminal state within 60 s at
 * p95, with at most one poll a minute once the first minutes are over. So:
 * - after each status change, short polls that grow (15 s ×1.6: 15, 24, 38 s) up to the steady
 *   interval: a bad file fails, and a queued job starts, in its first minutes;
 * - then one poll a minute (±5 %), the interval whose mean lag is 30 s and p95 57 s;
 * - when the provider says when it expects to finish (OpenAI `estimated_finish`, Together's
 *   `progress.seconds_remaining`, see src/providers/), after the short polls, longer waits (up to
 *   `maxMs`) while the end is far, one steady interval before it, and a poll just after it; once the estimate has passed,
 *   one a minute again. The waits never exceed `maxMs`, so an estimate that is wrong, or a
 *   status that changes without warning (a cancel at the provider), is seen within `maxMs`.
 *
 * Failures back off apart (`errorDelayMs`): a provider that answers 429 or 5xx is not polled
 * faster because a job is near its end.
 */
export interface PollCadence {
  /** The first poll after a status change, and the first retry after a failure. */
  firstMs: number;
  /** The interval once the first polls after a change are over, and around an expected end. */
  steadyMs: number;
  /** The longest wait: taken while a provider's estimate puts the end further away, and by error backoff. */
  maxMs: number;
}

/** 15 s, growing to one poll a minute; up to 5 min while a provider's estimate says the end is far. */
export const DEFAULT_CADENCE: PollCadence = { firstMs: 15_000, steadyMs: 60_000, maxMs: 5 * 60_000 };

/**
 * The deployment's cadence from its vars: `JOB_POLL_FIRST_MS` (the first poll after a change) and
 * `JOB_POLL_MAX_MS` (the longest wait); the steady interval is a minute, or the longest wait when
 * that is shorter (the demo polls every 1–2 s with 1000/2000).
 */
export function pollCadence(env: { JOB_POLL_FIRST_MS?: string; JOB_POLL_MAX_MS?: string }): PollCadence {
  const first = Number(env.JOB_POLL_FIRST_MS);
  const max = Number(env.JOB_POLL_MAX_MS);
  const firstMs = Number.isFinite(first) && first >= 100 ? first : DEFAULT_CADENCE.firstMs;
  const maxMs = Number.isFinite(max) && max >= firstMs ? max : Math.max(firstMs, DEFAULT_CADENCE.maxMs);
  const steadyMs = Math.min(maxMs, Math.max(firstMs, DEFAULT_CADENCE.steadyMs));
  return { firstMs, steadyMs, maxMs };
}

/** Growth of the short polls after a change: 15, 24, 38 s, then the steady minute. */
const GROWTH = 1.6;
/** ±5 % so that many jobs created together do not poll in step; small, so the minute stays a minute. */
const JITTER = 0.05;
/** How long after the provider's estimated end the poll that should see it goes: its clock and ours differ by a little. */
const AFTER_ESTIMATE_MS = 3_000;

/** What the next poll depends on; the caller keeps it between alarms. */
export interface PollState {
  /** Polls since the status last changed (0: the first poll after a change). */
  pollsSinceChange: number;
  /** Now, ms since the epoch (the clock seam's `nowMs()`). */
  nowMs: number;
  /** When the provider expects to finish, ms since the epoch, if it says (null/undefined when not). */
  estimatedFinishMs?: number | null;
}

/** The delay before the next poll, in ms. */
export function nextPollDelayMs(state: PollState, cadence: PollCadence = DEFAULT_CADENCE, random: () => number = Math.random): number {
  return Math.min(cadence.maxMs, delayMs(state, cadence, random));
}

function delayMs(state: PollState, cadence: PollCadence, random: () => number): number {
  const { firstMs, steadyMs, maxMs } = cadence;
  // The short polls after a change, then the steady minute (the ramp's cap).
  const ramp = backoffMs(state.pollsSinceChange, { baseMs: firstMs, capMs: steadyMs, factor: GROWTH, jitter: JITTER }, random);
  const estimate = state.estimatedFinishMs;
  if (estimate === null || estimate === undefined || !Number.isFinite(estimate)) return ramp;
  const remaining = estimate - state.nowMs;
  // The estimate has passed (or is about to): the end is due any moment; poll on the ramp.
  if (remaining <= 0) return ramp;
  // Within a steady interval of the end: the poll just after it; never sooner than the first poll's delay.
  if (remaining <= steadyMs) return Math.max(firstMs, Math.min(ramp, remaining + AFTER_ESTIMATE_MS + jitterMs(random, firstMs)));
  // Far from it, but in the short polls after a change: keep them (a job that fails, or is
  // cancelled, does so in its first minutes of a status as often as at the estimated end).
  if (firstMs * GROWTH ** state.pollsSinceChange < steadyMs) return ramp;
  // Far from it: wait until a steady interval before it, never longer than maxMs.
  return Math.max(ramp, Math.min(maxMs, remaining - steadyMs + jitterMs(random, firstMs)));
}

/** A small forward jitter (up to 5 % of `scaleMs`): spreads polls aimed at one estimated instant, never ahead of it. */
const jitterMs = (random: () => number, scaleMs: number) => Math.round(random() * JITTER * scaleMs);

/** Delay after the `failures`-th failure in a row (1-based), or the provider's Retry-After when longer (up to an hour). */
export function errorDelayMs(failures: number, retryAfterMs?: number, cadence: PollCadence = DEFAULT_CADENCE, random: () => number = Math.random): number {
  const backoff = backoffMs(failures - 1, { baseMs: cadence.firstMs, capMs: cadence.maxMs, jitter: 0.1 }, random);
  return Math.max(backoff, Math.min(retryAfterMs ?? 0, 60 * 60_000));
}

/**
 * Whether a poll should also read the provider's events: only when the status changed (events are
 * what explains a change; between changes they are progress lines that can wait for the next one,
 * and the caller reads them from its cursor then, so none is lost). Either status may be the
 * provider's own string, which is finer than ours (Together's `compressing`, `uploading`).
 */
export function statusChanged(previous: string | null | undefined, current: string): boolean {
  return previous !== current;
}
