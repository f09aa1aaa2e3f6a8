import { formatPath, isPlainObject } from "./paths";
import { typesOf } from "./subset";
import { normalizeSchema } from "./normalize";
import type { JsonPath, JsonType, OutputSchema, OutputSchemaNode, SchemaInput } from "./types";
import { canonicalJson, refName, resolveRef } from "./walk";

/**
 * Whether OpenAI's strict structured outputs (`strict: true` on a tool or a `json_schema`
 * response format) can carry a program's schema. Strict mode needs `additionalProperties: false`
 * and every property in `required` on every object, and accepts fewer keywords.
 * - `ok: true`: the schema qualifies as given; send it with `strict: true`.
 * - `ok: false` with `strict`: it does not (`reasons` lists what the strict version changes);
 *   a caller that sends `strict` passes outputs through `fromStrictOutput`, then validates them
 *   against the original schema, which still checks what strict mode could not express.
 * - `ok: false` without `strict`: no strict version exists (`reasons` says why); send no `strict`.
 */
export type StrictCompatibility =
  | { ok: true; schema: OutputSchema }
  | { ok: false; reasons: string[]; strict?: OutputSchema };

// Keywords OpenAI's strict mode refuses; they are removed and stay enforced by our own validator.
const DROPPED = ["minLength", "maxLength", "default", "examples"] as const;
// Formats strict mode accepts (OpenAI's structured outputs guide); `uri` is not among them.
const STRICT_FORMATS = new Set(["date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"]);
// Inlining `$ref`s (to keep their descriptions) copies definitions; this bounds the copies.
const MAX_NODES = 5_000;
const ANNOTATIONS = ["description", "title"] as const;

interface State {
  root: OutputSchema;
  recursive: ReadonlySet<string>;
  reasons: string[];
  /** What the strict version changes, by kind, with the paths where it does. */
  changes: Map<string, string[]>;
  nodes: number;
}

/** Checks a checked output schema against OpenAI's strict mode: qualifies as is, has a strict version, or neither. */
export function strictCompatible(input: SchemaInput): StrictCompatibility {
  const schema = normalizeSchema(input);
  const st: State = { root: schema, recursive: recursiveDefs(schema), reasons: [], changes: new Map(), nodes: 0 };
  if (Object.hasOwn(input, "definitions")) change(st, "definitions renamed $defs");
  if (Object.hasOwn(input, "$schema")) change(st, "$schema removed");
  const out = strictNode(schema, [], st) as OutputSchema;
  if (schema.$defs) {
    out.$defs = Object.fromEntries(Object.entries(schema.$defs).map(([name, def]) => [name, strictNode(def, ["$defs", name], st)]));
  }
  if (st.nodes > MAX_NODES) return { ok: false, reasons: [`${where([])}: too large once $refs are inlined`] };
  if (st.reasons.length > 0) return { ok: false, reasons: st.reasons };
  if (canonicalJson(out) === canonicalJson(input)) return { ok: true, schema: out };
  const reasons = [...st.changes].map(([kind, paths]) => (paths.length > 0 ? `${kind}: ${paths.join(", ")}` : kind));
  return { ok: false, reasons, strict: out };
}

function change(st: State, kind: string, path?: JsonPath): void {
  const paths = st.changes.get(kind) ?? [];
  if (path) paths.push(where(path));
  st.changes.set(kind, paths);
}

function strictNode(input: OutputSchemaNode, path: JsonPath, st: State): OutputSchemaNode {
  if (++st.nodes > MAX_NODES) return {};
  let node = input;
  // Unwrap until what is left is a plain $ref or an inline schema (a definition may itself be an alias).
  for (let hops = 0; hops < 32 && (node.allOf || (node.$ref && Object.keys(node).length > 1)); hops++) {
    if (node.allOf) {
      // pydantic v1's annotated $ref: the outer annotations win over the inner schema's.
      change(st, "single-schema allOf unwrapped", path);
      node = { ...node.allOf[0], ...pick(node, ANNOTATIONS), ...pick(node, DROPPED) };
      continue;
    }
    const { $ref, ...siblings } = node as OutputSchemaNode & { $ref: string };
    if (st.recursive.has(refName($ref)!)) {
      change(st, "annotations beside a recursive $ref removed", path);
      node = { $ref };
    } else {
      // Strict mode refuses siblings beside $ref; inlining keeps the field's description (as openai-python does).
      change(st, "$ref with annotations inlined", path);
      node = { ...resolveRef(st.root, $ref), ...siblings };
    }
  }
  const out: OutputSchemaNode = {};
  for (const [key, value] of Object.entries(node)) {
    if ((DROPPED as readonly string[]).includes(key)) {
      const why = key === "default" || key === "examples" ? "an annotation strict mode refuses" : "still checked on validation";
      change(st, `${key} removed (${why})`, path);
    } else if (key === "format" && !STRICT_FORMATS.has(value as string)) {
      change(st, `format "${value}" removed (still checked on validation)`, path);
    } else if (key !== "$defs") {
      (out as Record<string, unknown>)[key] = value;
    }
  }
  const types = typesOf(node.type);
  if (!types && node.enum === undefined && node.const === undefined && !node.anyOf && !node.$ref) {
    st.reasons.push(`${where(path)}: accepts any value, and strict mode needs a type`);
  }
  if (types?.includes("object")) strictObject(node, out, path, st);
  if (types?.includes("array")) {
    if (node.items) out.items = strictNode(node.items, [...path, "items"], st);
    else st.reasons.push(`${where(path)}: an array without items, and strict mode needs them`);
  }
  if (node.anyOf) out.anyOf = node.anyOf.map((option, i) => strictNode(option, [...path, "anyOf", i], st));
  return out;
}

function strictObject(node: OutputSchemaNode, out: OutputSchemaNode, path: JsonPath, st: State): void {
  if (!node.properties || Object.keys(node.properties).length === 0) {
    st.reasons.push(`${where(path)}: an object without declared properties, and strict mode allows no others`);
    return;
  }
  const required = new Set(node.required ?? []);
  const properties: Record<string, OutputSchemaNode> = {};
  for (const [name, child] of Object.entries(node.properties)) {
    const at = [...path, "properties", name];
    let strict = strictNode(child, at, st);
    if (!required.has(name)) {
      if (acceptsNull(child, st.root)) {
        change(st, "optional properties made required (they already accept null)", at);
      } else {
        strict = nullable(strict);
        change(st, "optional properties made required and nullable (null stands for absent)", at);
      }
    }
    Object.defineProperty(properties, name, { value: strict, enumerable: true, writable: true, configurable: true });
  }
  out.properties = properties;
  out.required = Object.keys(properties);
  if (node.additionalProperties !== false) change(st, "additionalProperties set to false", path);
  out.additionalProperties = false;
}

function nullable(node: OutputSchemaNode): OutputSchemaNode {
  const types = typesOf(node.type);
  if (node.enum) return { ...node, ...(types ? { type: [...types, "null"] } : {}), enum: [...node.enum, null] };
  if (types && node.const === undefined) return { ...node, type: [...types, "null"] };
  if (node.anyOf) return { ...node, anyOf: [...node.anyOf, { type: "null" }] };
  const { description, title, ...rest } = node;
  return { ...pick({ description, title }, ANNOTATIONS), anyOf: [rest, { type: "null" }] };
}

/** True when a schema accepts `null` (so an optional property needs no change to become required). */
export function acceptsNull(node: OutputSchemaNode, root: OutputSchema, seen = new Set<string>()): boolean {
  if (node.allOf) return acceptsNull(node.allOf[0]!, root, seen);
  if (node.$ref) {
    const name = refName(node.$ref);
    if (name === undefined || seen.has(name)) return false;
    const def = resolveRef(root, node.$ref);
    return def !== undefined && acceptsNull(def, root, new Set([...seen, name]));
  }
  if (node.anyOf) return node.anyOf.some((option) => acceptsNull(option, root, seen));
  if (node.enum) return node.enum.includes(null);
  if (node.const !== undefined) return node.const === null;
  return node.type === undefined || (typesOf(node.type) as JsonType[]).includes("null");
}

/**
 * Undoes the strict version's stand-ins on an output: drops `null` from properties the original
 * schema has as optional and not nullable. Other values are returned as they are.
 */
export function fromStrictOutput(value: unknown, schema: SchemaInput): unknown {
  const root = normalizeSchema(schema);
  return restore(value, root, root);
}

function restore(value: unknown, input: OutputSchemaNode, root: OutputSchema): unknown {
  const node = deref(input, root);
  if (Array.isArray(value)) {
    const items = branch(node, root, "array")?.items;
    return items ? value.map((item) => restore(item, items, root)) : value;
  }
  if (!isPlainObject(value)) return value;
  const object = branch(node, root, "object");
  if (!object?.properties) return value;
  const required = new Set(object.required ?? []);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const property = Object.hasOwn(object.properties, key) ? object.properties[key] : undefined;
    if (property && item === null && !required.has(key) && !acceptsNull(property, root)) continue;
    const kept = property ? restore(item, property, root) : item;
    Object.defineProperty(out, key, { value: kept, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** The schema itself, or the first anyOf option (after $refs) whose type is `kind`. */
function branch(node: OutputSchemaNode, root: OutputSchema, kind: JsonType): OutputSchemaNode | undefined {
  if (typesOf(node.type)?.includes(kind)) return node;
  return node.anyOf?.map((option) => deref(option, root)).find((option) => typesOf(option.type)?.includes(kind));
}

function deref(node: OutputSchemaNode, root: OutputSchema, hops = 0): OutputSchemaNode {
  if (hops > 32) return node;
  if (node.allOf) return deref(node.allOf[0]!, root, hops + 1);
  const target = node.$ref ? resolveRef(root, node.$ref) : undefined;
  return target ? deref(target, root, hops + 1) : node;
}

/** Definitions that can reach themselves through `$ref`s. */
function recursiveDefs(root: OutputSchema): Set<string> {
  const edges = new Map<string, string[]>();
  for (const [name, def] of Object.entries(root.$defs ?? {})) edges.set(name, refsIn(def));
  const out = new Set<string>();
  for (const start of edges.keys()) {
    const stack = [...(edges.get(start) ?? [])];
    const seen = new Set<string>();
    while (stack.length > 0) {
      const next = stack.pop()!;
      if (next === start) {
        out.add(start);
        break;
      }
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push(...(edges.get(next) ?? []));
    }
  }
  return out;
}

function refsIn(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(refsIn);
  if (!isPlainObject(node)) return [];
  const own = typeof node.$ref === "string" && refName(node.$ref) !== undefined ? [refName(node.$ref)!] : [];
  const children = [node.items, node.anyOf, node.allOf, ...(isPlainObject(node.properties) ? Object.values(node.properties) : [])];
  return [...own, ...children.flatMap(refsIn)];
}

function pick(node: object, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(node).filter(([key, value]) => keys.includes(key) && value !== undefined));
}

function where(path: JsonPath): string {
  return formatPath(path, "output_schema");
}
