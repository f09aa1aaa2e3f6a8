/**
 * Quality filters applied to a teacher's labeled answer. Each gives a reason that is
 * recorded on the row (never a silent drop):
 * - `no_context`: the teacher found nothing relevant — every array empty and every
 *   string blank, or a `no_context: true` field (the third seed removed such questions
 *   by hand, because they drag faithfulness down);
 * - `empty_required_field`: a required string that is blank.
 * Invalid output (`invalid_output`) is decided by the program runner's validation.
 */
type Schema = Record<string, unknown>;

export type FilterReason = "no_context" | "empty_required_field";

/** The first quality problem of an output valid against `schema`, or null. */
export function qualityProblem(output: unknown, schema: Schema): FilterReason | null {
  if (isObject(output) && output.no_context === true) return "no_context";
  if (isEmpty(output)) return "no_context";
  return blankRequired(output, schema, schema) ? "empty_required_field" : null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Nothing in it: blank strings, empty arrays, objects of nothing (numbers and booleans count as content). */
function isEmpty(v: unknown): boolean {
  if (typeof v === "string") return v.trim() === "";
  if (Array.isArray(v)) return v.every(isEmpty);
  if (isObject(v)) return Object.values(v).every(isEmpty);
  return v === null || v === undefined;
}

function resolve(node: Schema, root: Schema): Schema {
  const ref = node.$ref;
  if (typeof ref === "string" && ref.startsWith("#/$defs/")) {
    const defs = root.$defs as Record<string, Schema> | undefined;
    return defs?.[ref.slice("#/$defs/".length)] ?? node;
  }
  return node;
}

function blankRequired(value: unknown, node: Schema, root: Schema): boolean {
  const schema = resolve(node, root);
  if (Array.isArray(value)) {
    const items = schema.items as Schema | undefined;
    return items ? value.some((v) => blankRequired(v, items, root)) : false;
  }
  if (!isObject(value)) return false;
  const props = (schema.properties ?? {}) as Record<string, Schema>;
  const required = (schema.required ?? []) as string[];
  for (const [key, sub] of Object.entries(props)) {
    const v = value[key];
    if (required.includes(key) && typeof v === "string" && v.trim() === "") return true;
    if (v !== undefined && blankRequired(v, sub, root)) return true;
  }
  return false;
}
