import { isPlainObject } from "./paths";
import type { JsonPath, OutputSchemaNode } from "./types";

type Visit = (node: OutputSchemaNode, path: JsonPath) => OutputSchemaNode;

/**
 * Rebuilds a schema bottom-up: every subschema (properties, items, anyOf, allOf, $defs) is
 * rebuilt first, then `visit` sees its parent. Key order is kept, since it is the order models
 * see fields in. Property names are copied as own properties, so `__proto__` stays a name.
 */
export function mapSchema<T extends OutputSchemaNode>(node: T, visit: Visit, path: JsonPath = []): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if ((key === "properties" || key === "$defs") && isPlainObject(value)) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, child]) => [name, mapSchema(child as OutputSchemaNode, visit, [...path, key, name])]),
      );
    } else if (key === "items" && isPlainObject(value)) {
      out[key] = mapSchema(value as OutputSchemaNode, visit, [...path, key]);
    } else if ((key === "anyOf" || key === "allOf") && Array.isArray(value)) {
      out[key] = (value as OutputSchemaNode[]).map((child, i) => mapSchema(child, visit, [...path, key, i]));
    } else {
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    }
  }
  return visit(out as OutputSchemaNode, path) as T;
}

/** The definition a local `#/$defs/<Name>` reference names, if any. */
export function resolveRef(root: { $defs?: Record<string, OutputSchemaNode> }, ref: string): OutputSchemaNode | undefined {
  const name = /^#\/\$defs\/([^/]+)$/.exec(ref)?.[1];
  return name !== undefined && root.$defs && Object.hasOwn(root.$defs, name) ? root.$defs[name] : undefined;
}

/** The name a local `#/$defs/<Name>` reference points to. */
export function refName(ref: string): string | undefined {
  return /^#\/\$defs\/([^/]+)$/.exec(ref)?.[1];
}

/** JSON with object keys sorted at every level: equal schemas serialize equally, whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    Object.defineProperty(out, key, {
      value: sortKeys((value as Record<string, unknown>)[key]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}
