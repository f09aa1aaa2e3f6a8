/** Minimal JSON Schema access: $ref resolution, allOf merging, type picking. */

export type JsonSchema = { [key: string]: unknown };

export function isObject(value: unknown): value is JsonSchema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Follows a local JSON pointer ("#", "#/$defs/Song", "#/properties/a/items"). */
function pointer(root: JsonSchema, ref: string): JsonSchema | undefined {
  if (!ref.startsWith("#")) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(1).split("/").filter(Boolean)) {
    const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    node = isObject(node) ? node[key] : Array.isArray(node) ? node[Number(key)] : undefined;
  }
  return isObject(node) ? node : undefined;
}

/** Resolves $ref chains and merges allOf into one schema (siblings of $ref win). */
export function resolve(root: JsonSchema, schema: unknown, depth = 0): JsonSchema {
  if (!isObject(schema) || depth > 20) return {};
  let out: JsonSchema = schema;
  if (typeof schema.$ref === "string") {
    const { $ref, ...rest } = schema;
    out = { ...resolve(root, pointer(root, $ref as string), depth + 1), ...rest };
  }
  if (Array.isArray(out.allOf)) {
    const { allOf, ...rest } = out;
    const merged: JsonSchema = {};
    const properties: JsonSchema = {};
    const required: string[] = [];
    for (const part of allOf as unknown[]) {
      const r = resolve(root, part, depth + 1);
      Object.assign(merged, r);
      if (isObject(r.properties)) Object.assign(properties, r.properties);
      if (Array.isArray(r.required)) required.push(...(r.required as string[]));
    }
    out = { ...merged, ...rest };
    if (Object.keys(properties).length) out.properties = { ...properties, ...(isObject(rest.properties) ? rest.properties : {}) };
    if (required.length) out.required = [...new Set([...required, ...((rest.required as string[] | undefined) ?? [])])];
  }
  return out;
}

/** The variant of an anyOf/oneOf to generate: the first one that is not `null`. */
export function pickVariant(root: JsonSchema, schema: JsonSchema): JsonSchema | null {
  const variants = (schema.anyOf ?? schema.oneOf) as unknown[] | undefined;
  if (!Array.isArray(variants)) return null;
  const resolved = variants.map((v) => resolve(root, v));
  const { anyOf: _a, oneOf: _o, ...rest } = schema;
  const chosen = resolved.find((v) => v.type !== "null") ?? resolved[0] ?? {};
  return { ...rest, ...chosen };
}

export type SchemaType = "object" | "array" | "string" | "integer" | "number" | "boolean" | "null";

/** The type to generate for a schema: its first non-null type, else inferred from its keywords. */
export function schemaType(schema: JsonSchema): SchemaType {
  const declared = Array.isArray(schema.type) ? (schema.type as string[]) : typeof schema.type === "string" ? [schema.type] : [];
  const nonNull = declared.find((t) => t !== "null") ?? declared[0];
  if (nonNull) return nonNull as SchemaType;
  if (isObject(schema.properties) || schema.additionalProperties !== undefined) return "object";
  if (schema.items !== undefined || schema.prefixItems !== undefined) return "array";
  if (typeof schema.minimum === "number" || typeof schema.maximum === "number") return "number";
  return "string";
}

/** The names of every array-valued property in a schema (to know whether a count request is unambiguous). */
export function arrayFieldNames(root: JsonSchema, schema: unknown, depth = 0, out: string[] = [], name = ""): string[] {
  if (depth > 8) return out;
  const s = resolve(root, schema);
  const variant = pickVariant(root, s) ?? s;
  const type = schemaType(variant);
  if (type === "array") {
    out.push(name);
    arrayFieldNames(root, variant.items, depth + 1, out, name);
  } else if (type === "object" && isObject(variant.properties)) {
    for (const [key, child] of Object.entries(variant.properties)) arrayFieldNames(root, child, depth + 1, out, key);
  }
  return out;
}
