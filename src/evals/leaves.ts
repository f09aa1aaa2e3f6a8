/** One leaf of a JSON value: its path (`citations[0].author`) and its primitive value. */
export interface Leaf {
  path: string;
  value: string | number | boolean | null;
}

/**
 * The leaves of a JSON value, depth first in key order as written: every string, number,
 * boolean and null, and every empty array or object (as null at its path), so a value with
 * nothing inside still counts where a reference expects it.
 */
export function leaves(value: unknown, path = ""): Leaf[] {
  if (Array.isArray(value)) {
    if (value.length === 0) return [{ path, value: null }];
    return value.flatMap((v, i) => leaves(v, `${path}[${i}]`));
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value);
    if (entries.length === 0) return [{ path, value: null }];
    return entries.flatMap(([k, v]) => leaves(v, path ? `${path}.${k}` : k));
  }
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean" || value === null) return [{ path, value }];
  return [];
}

/**
 * The statements a structured output makes: one per leaf that says something (not null, not an
 * empty string), written `path: value`, so the key travels with its value and a citation list is
 * judged citation by citation.
 */
export function leafStatements(value: unknown): string[] {
  return leaves(value)
    .filter((l) => l.value !== null && !(typeof l.value === "string" && l.value.trim() === ""))
    .map((l) => (l.path ? `${l.path}: ${String(l.value)}` : String(l.value)));
}
