/**
 * When the job's alarm fires next. Polls start short (a job's first minutes are when a bad file
 * fails) and back off to a cap, since training takes minutes to hours; errors back off likewise.
 */
export const FIRST_POLL_MS = 15_000;
export const MAX_POLL_MS = 5 * 60_000;
const POLL_GROWTH = 1.6;
/** ±10 % so that many jobs created together do not poll the provider in step. */
const JITTER = 0.1;

/** Consecutive retryable failures before a job that has no provider job yet is given up. */
export const MAX_SUBMIT_FAILURES = 10;
/** Consecutive failures of anything else (polling a job that exists) before giving up: about a day at the cap. */
export const MAX_POLL_FAILURES = 300;

function jittered(ms: number, random: () => number): number {
  return Math.round(ms * (1 - JITTER + 2 * JITTER * random()));
}

/** Delay before poll number `count` (0-based) since the provider's status last changed. */
export function pollDelayMs(count: number, random: () => number = Math.random): number {
  return jittered(Math.min(MAX_POLL_MS, FIRST_POLL_MS * POLL_GROWTH ** count), random);
}

/** Delay after the `failures`-th failure in a row (1-based), or the provider's Retry-After when longer. */
export function errorDelayMs(failures: number, retryAfterMs?: number, random: () => number = Math.random): number {
  const backoff = jittered(Math.min(MAX_POLL_MS, FIRST_POLL_MS * 2 ** Math.max(0, failures - 1)), random);
  return Math.max(backoff, Math.min(retryAfterMs ?? 0, 60 * 60_000));
}
