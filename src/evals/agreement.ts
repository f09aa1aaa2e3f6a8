import { leaves } from "./leaves";
import { bestPairing } from "./pairing";

/*
 * Agreement with the reference: the fraction of the reference output's leaves the model's output
 * matches at the same place (strings normalised; arrays matched item to item by the pairing that
 * matches most leaves, so order does not matter), and exact match of the whole output.
 */

export interface AgreementResult {
  /** Matched reference leaves ÷ reference leaves; null when there is no output or reference. */
  score: number | null;
  undetermined: string | null;
  /** 1 when the output equals the reference (keys in any order), else 0; null with the score. */
  exact: number | null;
  matched: number;
  total: number;
}

export function agreement(reference: unknown, output: unknown): AgreementResult {
  if (reference === undefined || reference === null) return { score: null, undetermined: "no_reference", exact: null, matched: 0, total: 0 };
  if (output === undefined || output === null) return { score: null, undetermined: "no_output", exact: null, matched: 0, total: 0 };
  const { matched, total } = match(reference, output);
  return { score: matched / total, undetermined: null, exact: canonical(reference) === canonical(output) ? 1 : 0, matched, total };
}

/** Reference leaves matched by `out`, and the reference's leaf count. */
function match(ref: unknown, out: unknown): { matched: number; total: number } {
  if (Array.isArray(ref) && ref.length > 0) {
    const items = Array.isArray(out) ? out : [];
    const totals = ref.map((r) => leaves(r).length);
    const total = totals.reduce((s, t) => s + t, 0);
    if (items.length === 0) return { matched: 0, total };
    const gain = ref.map((r) => items.map((o) => match(r, o).matched));
    return { matched: bestPairing(gain).total, total };
  }
  if (isObject(ref) && Object.keys(ref).length > 0) {
    let matched = 0;
    let total = 0;
    const o = isObject(out) ? out : {};
    for (const [k, v] of Object.entries(ref)) {
      const m = match(v, o[k]);
      matched += m.matched;
      total += m.total;
    }
    return { matched, total };
  }
  return { matched: sameLeaf(ref, out) ? 1 : 0, total: 1 };
}

function sameLeaf(ref: unknown, out: unknown): boolean {
  if (typeof ref === "string" && typeof out === "string") return normalize(ref) === normalize(out);
  if (typeof ref === "number" && typeof out === "number") return Math.abs(ref - out) <= 1e-9 * Math.max(1, Math.abs(ref));
  if (Array.isArray(ref)) return Array.isArray(out) && out.length === 0;
  if (isObject(ref)) return isObject(out) && Object.keys(out).length === 0;
  return ref === out;
}

/** Case, accents' composition, punctuation and spacing do not make two strings differ. */
export function normalize(s: string): string {
  return s.normalize("NFKC").toLowerCase().replace(/[\p{P}\p{S}]+/gu, " ").replace(/\s+/g, " ").trim();
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** JSON with object keys sorted: equal values give equal text whatever their key order. */
export function canonical(v: unknown): string {
  if (v === undefined) return "undefined";
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (isObject(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(",")}}`;
  return JSON.stringify(v);
}
