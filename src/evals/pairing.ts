/**
 * The assignment of rows to columns (each used at most once) that maximises the summed gain: the
 * Hungarian algorithm (Kuhn–Munkres, O(n³)) on the square matrix padded with zeros. Written here:
 * it is forty lines, and no maintained package for it runs on Workers without Node built-ins.
 */
export function bestPairing(gain: readonly (readonly number[])[]): { total: number; pairs: Array<[number, number]> } {
  const rows = gain.length;
  const cols = Math.max(0, ...gain.map((r) => r.length));
  const n = Math.max(rows, cols);
  if (n === 0) return { total: 0, pairs: [] };
  let max = 0;
  for (const r of gain) for (const g of r) max = Math.max(max, g);
  // Minimise cost = max − gain (1-based arrays, as in the classic formulation).
  const cost = (i: number, j: number) => max - (gain[i - 1]?.[j - 1] ?? 0);
  const u = new Array<number>(n + 1).fill(0);
  const v = new Array<number>(n + 1).fill(0);
  const p = new Array<number>(n + 1).fill(0);
  const way = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Array<number>(n + 1).fill(Infinity);
    const used = new Array<boolean>(n + 1).fill(false);
    do {
      used[j0] = true;
      const i0 = p[j0]!;
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= n; j++) {
        if (used[j]) continue;
        const cur = cost(i0, j) - u[i0]! - v[j]!;
        if (cur < minv[j]!) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j]! < delta) {
          delta = minv[j]!;
          j1 = j;
        }
      }
      for (let j = 0; j <= n; j++) {
        if (used[j]) {
          u[p[j]!]! += delta;
          v[j]! -= delta;
        } else minv[j]! -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0]!;
      p[j0] = p[j1]!;
      j0 = j1;
    } while (j0);
  }
  const pairs: Array<[number, number]> = [];
  let total = 0;
  for (let j = 1; j <= n; j++) {
    const i = p[j]!;
    if (i >= 1 && i <= rows && j <= (gain[i - 1]?.length ?? 0)) {
      pairs.push([i - 1, j - 1]);
      total += gain[i - 1]![j - 1]!;
    }
  }
  return { total, pairs };
}
