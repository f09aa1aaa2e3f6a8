/**
 * The API's one time format: unix seconds, as OpenAI's objects carry them (the same client code
 * reads Distillery's resources and /openai/v1's). Stores keep ISO text (readable, sortable); views
 * convert on the way out with these.
 */

/** Unix seconds of an ISO timestamp. */
export function unixSeconds(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000);
}

export function unixOrNull(iso: string | null): number | null {
  return iso === null ? null : unixSeconds(iso);
}

type Unix<T> = {
  [K in keyof T]: K extends `${string}_at` ? (T[K] extends string ? number : T[K] extends string | null ? number | null : T[K]) : T[K];
};

/** The record with every top-level `*_at` string converted to unix seconds (nested objects untouched). */
export function withUnixTimes<T extends object>(record: T): Unix<T> {
  const out = { ...record } as Record<string, unknown>;
  for (const [k, v] of Object.entries(out)) if (k.endsWith("_at") && typeof v === "string") out[k] = unixSeconds(v);
  return out as Unix<T>;
}
