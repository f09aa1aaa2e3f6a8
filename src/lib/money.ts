/**
 * Money: integer micro-dollars inside (what the stores sum, so a sum is exact), a number of
 * dollars with at most 6 decimals outside (an integer of micro-dollars divided by 1e6 prints
 * exactly as its decimal: 372000 → 0.372, never 0.37199000000000004). A call cheaper than half a
 * micro-dollar records 0: the per-call rounding is the only loss, and it is bounded by 0.5 µ$ a call.
 */

/** Dollars (as prices multiply out) → integer micro-dollars. */
export function toMicros(usd: number): number {
  return Math.round(usd * 1_000_000);
}

/** Integer micro-dollars → dollars, exact to 6 decimals. */
export function usdOf(micros: number): number {
  return micros / 1_000_000;
}

/** A computed dollar amount as the API shows it: rounded to the micro-dollar. */
export function roundUsd(usd: number): number {
  return usdOf(toMicros(usd));
}
