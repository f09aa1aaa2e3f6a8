import { advanceClock, nowMs } from "../../src/lib/clock";

/**
 * How long a revoked key may go on working, as the README states it ("A revoked key stops working at
 * once": 0 ms). A change of the bound (issue 20) changes the README, this constant and the sentence
 * below together; the suite checks the README still says what the probe assumes.
 */
export const REVOCATION_BOUND_MS = 0;
export const README_REVOCATION_SENTENCE = "A revoked key stops working at once";

/**
 * The clock the revoked-key probe reads: the Worker's own clock seam (src/lib/clock.ts). The probe
 * revokes at `now()`, moves the seam past the bound (never a sleep), then the very next request
 * must be refused. With a 0 ms bound nothing moves.
 */
export const revocationClock = {
  now: (): number => nowMs(),
  advance(ms: number): void {
    if (ms > 0) advanceClock(ms);
  },
};
