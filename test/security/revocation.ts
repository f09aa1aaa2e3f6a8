/**
 * How long a revoked key may go on working, as the README states it ("A revoked key stops working at
 * once": 0 ms). A change of the bound (issue 20) changes the README, this constant and the sentence
 * below together; the suite checks the README still says what the probe assumes.
 */
export const REVOCATION_BOUND_MS = 0;
export const README_REVOCATION_SENTENCE = "A revoked key stops working at once";

/**
 * The clock the revoked-key probe reads: revoke at `now()`, move past the bound, then the very next
 * request must be refused. With a 0 ms bound nothing moves.
 *
 * Issue 20 plugs the clock seam in here: `now` becomes `src/lib/clock.ts`'s `now()`, and `advance`
 * moves the seam's test override forward by `ms` (never a sleep), so a key revoked `bound` ago by
 * the Worker's own clock is the one probed.
 */
export const revocationClock = {
  now: (): number => Date.now(),
  advance(ms: number): void {
    if (ms > 0) {
      throw new Error(`REVOCATION_BOUND_MS is ${ms} ms: advance the clock seam (src/lib/clock.ts) here rather than wait`);
    }
  },
};
