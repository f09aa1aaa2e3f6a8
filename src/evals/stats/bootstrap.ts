import { mulberry32, seedOf, type Random } from "./prng";

/** A 95% interval (or another level): the percentile bootstrap's bounds. */
export interface Interval {
  low: number;
  high: number;
}

export interface BootstrapOptions {
  /** Resamples drawn (default 4000). */
  resamples?: number;
  /** A number or a name (hashed); the same seed gives the same interval. Default 0. */
  seed?: number | string;
  /** Coverage of the interval (default 0.95). */
  level?: number;
}

export const DEFAULT_RESAMPLES = 4000;

/** The arithmetic mean (NaN for no values: callers never ask for it, see `summarize`). */
export function mean(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

/**
 * The percentile bootstrap interval of the mean: draw `resamples` samples of the same size with
 * replacement, take each one's mean, and read the (1 − level)/2 and (1 + level)/2 quantiles of
 * those means. Seeded, so the same scores always give the same interval.
 */
export function bootstrapMeanInterval(values: readonly number[], opts: BootstrapOptions = {}): Interval {
  const n = values.length;
  if (n === 0) throw new RangeError("bootstrap of an empty sample");
  const resamples = opts.resamples ?? DEFAULT_RESAMPLES;
  const random: Random = mulberry32(typeof opts.seed === "string" ? seedOf(opts.seed) : (opts.seed ?? 0));
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += values[Math.floor(random() * n)]!;
    means[b] = s / n;
  }
  means.sort();
  const level = opts.level ?? 0.95;
  return { low: quantileSorted(means, (1 - level) / 2), high: quantileSorted(means, (1 + level) / 2) };
}

/** The q-quantile of sorted values, interpolating between order statistics (R's type 7). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}
