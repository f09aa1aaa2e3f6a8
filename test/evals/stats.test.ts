import { describe, expect, it } from "vitest";
import { bootstrapMeanInterval, pairedDifference, summarize } from "../../src/evals/stats";

/** Every one of the n^n equally likely resamples of a small sample: the bootstrap's exact distribution of the mean. */
function exactBootstrapMeans(values: number[]): number[] {
  const n = values.length;
  const means: number[] = [];
  const idx = new Array<number>(n).fill(0);
  for (;;) {
    means.push(idx.reduce((s, i) => s + values[i]!, 0) / n);
    let k = 0;
    while (k < n && ++idx[k]! === n) idx[k++] = 0;
    if (k === n) break;
  }
  return means.sort((a, b) => a - b);
}

const inverseCdf = (sorted: number[], q: number) => sorted[Math.ceil(q * sorted.length) - 1]!;
const massBelow = (sorted: number[], x: number) => sorted.filter((m) => m < x - 1e-12).length / sorted.length;
const massAbove = (sorted: number[], x: number) => sorted.filter((m) => m > x + 1e-12).length / sorted.length;

describe("bootstrap interval of the mean", () => {
  const samples: Record<string, number[]> = {
    "six spread scores": [0.1, 0.35, 0.5, 0.8, 0.95, 1],
    "five binary scores": [1, 0, 1, 1, 0],
    "four scores": [0.2, 0.9, 0.4, 0.7],
    "three scores": [0, 0.5, 1],
  };
  for (const [name, values] of Object.entries(samples)) {
    it(`matches the exactly enumerated bootstrap on ${name}`, () => {
      const exact = exactBootstrapMeans(values);
      expect(exact.length).toBe(values.length ** values.length);
      const got = bootstrapMeanInterval(values, { resamples: 40_000, seed: 7 });
      // The exact bootstrap's quantiles: the smallest mean whose cumulative probability reaches q.
      const want = { low: inverseCdf(exact, 0.025), high: inverseCdf(exact, 0.975) };
      // Monte-Carlo error of a quantile at 40k draws is well under one step of these distributions.
      expect(Math.abs(got.low - want.low)).toBeLessThan(0.021);
      expect(Math.abs(got.high - want.high)).toBeLessThan(0.021);
      // And read against the exact distribution, each tail holds about 2.5%.
      expect(massBelow(exact, got.low)).toBeLessThanOrEqual(0.035);
      expect(massAbove(exact, got.high)).toBeLessThanOrEqual(0.035);
    });
  }

  it("gives the same interval for the same seed and another for another seed", () => {
    const values = [0.1, 0.4, 0.45, 0.9, 0.3, 0.75, 0.6];
    expect(bootstrapMeanInterval(values, { seed: "eval-1:faithfulness" })).toEqual(bootstrapMeanInterval(values, { seed: "eval-1:faithfulness" }));
    expect(bootstrapMeanInterval(values, { seed: 1 })).not.toEqual(bootstrapMeanInterval(values, { seed: 2 }));
  });

  it("is a single point when every score is equal", () => {
    expect(bootstrapMeanInterval([0.5, 0.5, 0.5])).toEqual({ low: 0.5, high: 0.5 });
  });
});

describe("summarize", () => {
  it("counts undetermined questions apart and never averages them in", () => {
    const s = summarize([1, null, 0, null, 0.5]);
    expect(s).toMatchObject({ mean: 0.5, n_scored: 3, n_undetermined: 2 });
    expect(s.interval!.low).toBeLessThanOrEqual(0.5);
    expect(s.interval!.high).toBeGreaterThanOrEqual(0.5);
  });

  it("has no mean and no interval when nothing was scored, rather than NaN", () => {
    expect(summarize([null, null])).toEqual({ mean: null, interval: null, n_scored: 0, n_undetermined: 2 });
  });
});

describe("paired difference", () => {
  // A constructed pair: 40 questions of varied difficulty; the candidate is 0.1 better on each,
  // give or take a small question-level wobble that sums to zero.
  const questions = Array.from({ length: 40 }, (_, i) => `q${i}`);
  const baseline = new Map(questions.map((q, i) => [q, 0.2 + 0.6 * ((i * 7) % 40) / 40]));
  const candidate = new Map(questions.map((q, i) => [q, baseline.get(q)! + 0.1 + (i % 2 === 0 ? 0.03 : -0.03)]));

  it("finds the constructed improvement, with an interval around it that excludes 0", () => {
    const d = pairedDifference(candidate, baseline, { seed: 3 });
    expect(d.difference).toBeCloseTo(0.1, 10);
    expect(d.n_pairs).toBe(40);
    expect(d.interval!.low).toBeGreaterThan(0.08);
    expect(d.interval!.high).toBeLessThan(0.12);
  });

  it("is narrower than the unpaired intervals, because each question's difficulty cancels", () => {
    const d = pairedDifference(candidate, baseline, { seed: 3 });
    const a = summarize([...candidate.values()], { seed: 3 });
    expect(d.interval!.high - d.interval!.low).toBeLessThan((a.interval!.high - a.interval!.low) / 4);
  });

  it("gives an interval of exactly 0 for a model against itself", () => {
    expect(pairedDifference(baseline, baseline)).toMatchObject({ difference: 0, interval: { low: 0, high: 0 } });
  });

  it("pairs only the questions both models were scored on", () => {
    const d = pairedDifference(new Map([["a", 1], ["b", null], ["c", 1]]), new Map([["a", 0], ["b", 0], ["d", 1]]));
    expect(d).toMatchObject({ difference: 1, n_pairs: 1, n_unpaired: 3 });
  });
});
