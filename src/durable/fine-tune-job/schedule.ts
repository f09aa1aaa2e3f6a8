/**
 * How long a fine-tune job keeps trying. When it polls is the shared cadence of
 * `src/durable/poll-cadence.ts` (jobs and deployments alike).
 */

/** Consecutive retryable failures before a job that has no provider job yet is given up. */
export const MAX_SUBMIT_FAILURES = 10;
/** Consecutive failures of anything else (polling a job that exists) before giving up: about a day at the cap. */
export const MAX_POLL_FAILURES = 300;
