// With its extension: bench/poll.ts runs this file in Node, which resolves no bare relative paths.
import { backoffMs } from "../../lib/backoff.ts";

/** When the job's alarm fires next: polls start short and back off to a cap; errors back off likewise. */
export interface PollCadence {
  /** The first poll after a status change, and the first retry after a failure. */
  firstMs: number;
  /** The longest wait between polls. */
  maxMs: number;
}

/** 15 s growing to 5 min: a job's first minutes are when a bad file fails; training takes minutes to hours. */
export const DEFAULT_CADENCE: PollCadence = { firstMs: 15_000, maxMs: 5 * 60_000 };

/** The deployment's cadence (JOB_POLL_FIRST_MS, JOB_POLL_MAX_MS); the demo shortens it. */
export function pollCadence(env: { JOB_POLL_FIRST_MS?: string; JOB_POLL_MAX_MS?: string }): PollCadence {
  const first = Number(env.JOB_POLL_FIRST_MS);
  const max = Number(env.JOB_POLL_MAX_MS);
  const firstMs = Number.isFinite(first) && first >= 100 ? first : DEFAULT_CADENCE.firstMs;
  const maxMs = Number.isFinite(max) && max >= firstMs ? max : Math.max(firstMs, DEFAULT_CADENCE.maxMs);
  return { firstMs, maxMs };
}
const POLL_GROWTH = 1.6;
/** ±10 % so that many jobs created together do not poll the provider in step. */
const JITTER = 0.1;

/** Consecutive retryable failures before a job that has no provider job yet is given up. */
export const MAX_SUBMIT_FAILURES = 10;
/** Consecutive failures of anything else (polling a job that exists) before giving up: about a day at the cap. */
export const MAX_POLL_FAILURES = 300;

/** Delay before poll number `count` (0-based) since the provider's status last changed. */
export function pollDelayMs(count: number, cadence: PollCadence = DEFAULT_CADENCE, random: () => number = Math.random): number {
  return backoffMs(count, { baseMs: cadence.firstMs, capMs: cadence.maxMs, factor: POLL_GROWTH, jitter: JITTER }, random);
}

/** Delay after the `failures`-th failure in a row (1-based), or the provider's Retry-After when longer. */
export function errorDelayMs(failures: number, retryAfterMs?: number, cadence: PollCadence = DEFAULT_CADENCE, random: () => number = Math.random): number {
  const backoff = backoffMs(failures - 1, { baseMs: cadence.firstMs, capMs: cadence.maxMs, jitter: JITTER }, random);
  return Math.max(backoff, Math.min(retryAfterMs ?? 0, 60 * 60_000));
}
