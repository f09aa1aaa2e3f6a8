import { INDEXED_METADATA, VECTORIZE_LIMITS as L, type IndexedProperty } from "./limits";
import type { FilterOperators, FilterScalar, MetadataFilter, MetadataScalar } from "./types";
import { invalid, utf8Bytes } from "./invalid";

const COMPARISONS = ["$eq", "$ne", "$lt", "$lte", "$gt", "$gte"] as const;
const COLLECTIONS = ["$in", "$nin"] as const;
const RANGES = new Set<string>(["$lt", "$lte", "$gt", "$gte"]);
const OPERATORS = new Set<string>([...COMPARISONS, ...COLLECTIONS]);

/**
 * Checks a filter against Vectorize's rules (known operators, compact JSON < 2 KB)
 * and ours: only indexed properties (a filter on an unindexed one silently
 * matches nothing in Vectorize), with values of the property's type. `{}` and
 * `undefined` mean no filter.
 */
export function validateFilter(filter: unknown): MetadataFilter | undefined {
  if (filter === undefined) return undefined;
  if (typeof filter !== "object" || filter === null || Array.isArray(filter)) {
    throw invalid("filter", "must be an object of {field: value} or {field: {$op: value}}");
  }
  if (Object.keys(filter).length === 0) return undefined;
  const bytes = utf8Bytes(JSON.stringify(filter));
  if (bytes >= L.filterBytes) throw invalid("filter", `is ${bytes} bytes as JSON; must be under ${L.filterBytes}`);

  for (const [field, condition] of Object.entries(filter)) {
    const at = `filter.${field}`;
    const type = INDEXED_METADATA[field as IndexedProperty] as string | undefined;
    if (!type) {
      throw invalid(at, `is not an indexed metadata property (${Object.keys(INDEXED_METADATA).join(", ")})`);
    }
    if (typeof condition !== "object" || condition === null) {
      checkScalar(condition, type, at);
      continue;
    }
    if (Array.isArray(condition)) throw invalid(at, "use {$in: [...]} to match one of several values");
    const ops = Object.entries(condition);
    if (ops.length === 0) throw invalid(at, "must name at least one operator");
    for (const [op, value] of ops) {
      if (!OPERATORS.has(op)) throw invalid(`${at}.${op}`, `unknown operator; use ${[...OPERATORS].join(" ")}`);
      if (RANGES.has(op) && type === "boolean") throw invalid(`${at}.${op}`, "range operators need a number or string");
      if (op === "$in" || op === "$nin") {
        if (!Array.isArray(value) || value.length === 0) throw invalid(`${at}.${op}`, "must be a non-empty array");
        value.forEach((v, i) => checkScalar(v, type, `${at}.${op}[${i}]`));
      } else {
        checkScalar(value, type, `${at}.${op}`);
      }
    }
  }
  return filter as MetadataFilter;
}

function checkScalar(value: unknown, type: string, at: string): asserts value is FilterScalar {
  if (typeof value !== type || (typeof value === "number" && !Number.isFinite(value))) {
    throw invalid(at, `must be a ${type}, like the indexed property`);
  }
}

/**
 * Whether metadata passes a validated filter (the local index's evaluation). A
 * missing property fails `$eq`, `$in` and ranges, and passes `$ne` and `$nin`.
 */
export function matchesFilter(metadata: Partial<Record<string, MetadataScalar>>, filter: MetadataFilter): boolean {
  for (const [field, condition] of Object.entries(filter)) {
    const actual = metadata[field];
    const ops: FilterOperators = typeof condition === "object" ? condition : { $eq: condition };
    for (const [op, expected] of Object.entries(ops) as [keyof FilterOperators, FilterScalar & FilterScalar[]][]) {
      if (!test(op, actual, expected)) return false;
    }
  }
  return true;
}

function test(op: keyof FilterOperators, actual: MetadataScalar | undefined, expected: FilterScalar & FilterScalar[]): boolean {
  switch (op) {
    case "$eq":
      return actual === expected;
    case "$ne":
      return actual !== expected;
    case "$in":
      return actual !== undefined && expected.includes(actual);
    case "$nin":
      return actual === undefined || !expected.includes(actual);
  }
  // Ranges compare like with like (numbers, or strings by code unit); validation fixed the types.
  if (actual === undefined || typeof actual !== typeof expected) return false;
  switch (op) {
    case "$lt":
      return actual < expected;
    case "$lte":
      return actual <= expected;
    case "$gt":
      return actual > expected;
    case "$gte":
      return actual >= expected;
  }
}
