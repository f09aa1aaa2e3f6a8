/**
 * A row's split, decided by its id alone: the first 32 bits of SHA-256(id) as a
 * fraction, below `evalFraction` → eval. Stable across retries and re-runs.
 */
export async function splitFor(id: string, evalFraction: number): Promise<"train" | "eval"> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(id)));
  const u32 = ((digest[0]! << 24) | (digest[1]! << 16) | (digest[2]! << 8) | digest[3]!) >>> 0;
  return u32 / 2 ** 32 < evalFraction ? "eval" : "train";
}
