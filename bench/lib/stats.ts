/** Small helpers for benchmark output: timing, percentiles and a plain-text table. */

/**
 * Best (least) wall time of each function over `runs` rounds, in milliseconds, calling them in
 * turn within a round so that load from elsewhere on a shared machine falls on all of them alike.
 */
export function bestOf<K extends string>(runs: number, fns: Record<K, () => unknown>): Record<K, number> {
  const best = {} as Record<K, number>;
  for (let i = 0; i < runs; i++) {
    for (const key of Object.keys(fns) as K[]) {
      const t0 = performance.now();
      fns[key]();
      const ms = performance.now() - t0;
      best[key] = Math.min(best[key] ?? Infinity, ms);
    }
  }
  return best;
}

/** Least-squares slope of log(time) on log(size): 1 is linear, 2 quadratic. */
export function growthExponent(points: readonly { size: number; ms: number }[]): number {
  const xs = points.map((p) => Math.log(p.size));
  const ys = points.map((p) => Math.log(p.ms));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  xs.forEach((x, i) => {
    num += (x - mx) * (ys[i]! - my);
    den += (x - mx) ** 2;
  });
  return den > 0 ? num / den : 1;
}

/** The value at quantile q (0..1) of an ascending array. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export const mbPerS = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);

export const fmtBytes = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(n % 1e6 ? 1 : 0)} MB` : `${Math.round(n / 1024)} KiB`);

/** Renders rows as an aligned table with a header rule. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}
