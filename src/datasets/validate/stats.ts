/** Summary of per-example token counts. */
export interface TokenSummary {
  total: number;
  min: number;
  max: number;
  mean: number;
  p50: number;
  p90: number;
}

/**
 * Collects one number per example (never the examples themselves): 100k examples are 800 KB of
 * doubles, so percentiles are exact rather than sampled.
 */
export class TokenStats {
  #values: number[] = [];
  #total = 0;
  #min = Infinity;
  #max = -Infinity;

  add(tokens: number): void {
    this.#values.push(tokens);
    this.#total += tokens;
    if (tokens < this.#min) this.#min = tokens;
    if (tokens > this.#max) this.#max = tokens;
  }

  get count(): number {
    return this.#values.length;
  }

  /** Every figure is 0 when nothing was added; mean and percentiles are rounded to 2 decimals. */
  summary(): TokenSummary {
    const n = this.#values.length;
    if (n === 0) return { total: 0, min: 0, max: 0, mean: 0, p50: 0, p90: 0 };
    const sorted = Float64Array.from(this.#values).sort();
    return {
      total: this.#total,
      min: this.#min,
      max: this.#max,
      mean: round2(this.#total / n),
      p50: round2(quantile(sorted, 0.5)),
      p90: round2(quantile(sorted, 0.9)),
    };
  }
}

/** The q-quantile of ascending `sorted`, interpolated linearly between ranks (numpy's default, as the cookbook uses). */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo]!;
  return a + (sorted[hi]! - a) * (pos - lo);
}

// Counts are integers: two decimals say all there is, and 207.99999999999997 (float rank
// arithmetic) reads as 208.
const round2 = (x: number) => Math.round(x * 100) / 100;
