import { bootstrapMeanInterval, mean, type BootstrapOptions, type Interval } from "./bootstrap";

/** A question's score for one model and metric: a number in [0, 1], or undetermined (null). */
export type Score = number | null;

export interface MetricSummary {
  /** Mean of the scored questions; null when none was scored. */
  mean: number | null;
  /** 95% bootstrap interval of the mean; null when none was scored. */
  interval: Interval | null;
  n_scored: number;
  /** Questions the metric could not score (no statements, no contexts, an unparseable judge): counted, never averaged in. */
  n_undetermined: number;
}

/** Mean, 95% bootstrap interval, how many scored and how many undetermined. */
export function summarize(scores: readonly Score[], opts: BootstrapOptions = {}): MetricSummary {
  const scored = scores.filter((s): s is number => s !== null);
  const n_undetermined = scores.length - scored.length;
  if (scored.length === 0) return { mean: null, interval: null, n_scored: 0, n_undetermined };
  return { mean: mean(scored), interval: bootstrapMeanInterval(scored, opts), n_scored: scored.length, n_undetermined };
}

export interface PairedSummary {
  /** Mean of (candidate − baseline) over the questions both scored; null when there are none. */
  difference: number | null;
  /** 95% paired-bootstrap interval of that mean: the questions are resampled, each keeping its pair. */
  interval: Interval | null;
  /** Questions scored for both models. */
  n_pairs: number;
  /** Questions left out because either side was undetermined (or missing). */
  n_unpaired: number;
}

/**
 * The paired difference of two models on the same questions (keyed by question id): what a
 * decision reads, since the questions' own difficulty cancels out of each pair. A question counts
 * only when both models were scored on it.
 */
export function pairedDifference(
  candidate: ReadonlyMap<string, Score>,
  baseline: ReadonlyMap<string, Score>,
  opts: BootstrapOptions = {},
): PairedSummary {
  const diffs: number[] = [];
  const keys = new Set([...candidate.keys(), ...baseline.keys()]);
  for (const k of keys) {
    const a = candidate.get(k);
    const b = baseline.get(k);
    if (typeof a === "number" && typeof b === "number") diffs.push(a - b);
  }
  const n_unpaired = keys.size - diffs.length;
  if (diffs.length === 0) return { difference: null, interval: null, n_pairs: 0, n_unpaired };
  return { difference: mean(diffs), interval: bootstrapMeanInterval(diffs, opts), n_pairs: diffs.length, n_unpaired };
}
