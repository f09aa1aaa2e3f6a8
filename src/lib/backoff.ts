/**
 * Exponential backoff with jitter, the one formula behind every retry and poll delay: provider
 * errors (`src/llm/provider-errors.ts`), a fine-tune job's polls and failures
 * (`src/durable/poll-cadence.ts`, shared with deployments) and webhook deliveries (`src/webhooks/delivery.ts`).
 *
 * Hand-written on purpose: the maintained npm packages (`exponential-backoff`, `p-retry`) wrap a
 * function and sleep between its attempts in-process, while every wait here is a number handed
 * to an alarm or a queue's `delaySeconds`; what they would add is these few lines.
 */
export interface BackoffPolicy {
  /** The first step's ceiling in ms. */
  baseMs: number;
  /** The largest ceiling in ms. */
  capMs: number;
  /** Growth of the ceiling per step (default 2). */
  factor?: number;
  /**
   * `"full"`: uniform in [0, ceiling) ("full jitter", spreads retries of many callers widest);
   * a fraction such as 0.1: the ceiling ±10 % (keeps a schedule's shape, breaks lockstep).
   */
  jitter: "full" | number;
  /** The smallest delay returned (default 0). */
  minMs?: number;
}

/** The delay before step `step` (0 = the first wait) under `policy`; `random` returns [0, 1). */
export function backoffMs(step: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const { baseMs, capMs, factor = 2, jitter, minMs = 0 } = policy;
  // The exponent is bounded so a long run of failures never overflows to Infinity.
  const ceiling = Math.min(capMs, baseMs * factor ** Math.min(Math.max(0, step), 64));
  const delay = jitter === "full" ? Math.floor(random() * ceiling) : Math.round(ceiling * (1 - jitter + 2 * jitter * random()));
  return Math.max(minMs, delay);
}
