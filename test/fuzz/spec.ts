import { OPENAPI_PATH } from "../../src/app";
import { api } from "../helpers/api";

/** A JSON Schema as /openapi.json writes it, with every `$ref` resolved. */
export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
  default?: unknown;
  [key: string]: unknown;
};

export interface Parameter {
  name: string;
  in: "path" | "query" | "header";
  required: boolean;
  schema: JsonSchema;
}

/** One operation of /openapi.json, as a client reads it. */
export interface Operation {
  /** `METHOD /path/{param}`. */
  key: string;
  method: string;
  /** The OpenAPI path template (`/api/datasets/{id}/rows`). */
  path: string;
  access: "public" | "tenant" | "admin";
  params: Parameter[];
  body: { required: boolean; content: Record<string, JsonSchema> } | null;
  /** Declared response statuses. */
  statuses: number[];
}

type RawOperation = {
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: Parameter["in"]; required?: boolean; schema?: JsonSchema }[];
  requestBody?: { required?: boolean; content: Record<string, { schema?: JsonSchema }> };
  responses?: Record<string, unknown>;
};

/** Replaces every `#/components/schemas/X` reference with the schema it names (the API's schemas are not recursive). */
function deref(schema: unknown, components: Record<string, JsonSchema>, depth = 0): any {
  if (depth > 32) throw new Error("schema nesting too deep: a recursive $ref?");
  if (Array.isArray(schema)) return schema.map((s) => deref(s, components, depth + 1));
  if (!schema || typeof schema !== "object") return schema;
  const ref = (schema as { $ref?: unknown }).$ref;
  if (typeof ref === "string") {
    const name = ref.replace("#/components/schemas/", "");
    const target = components[name];
    if (!target) throw new Error(`unresolved $ref ${ref}`);
    return deref(target, components, depth + 1);
  }
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, deref(v, components, depth + 1)]));
}

function accessOf(op: RawOperation): Operation["access"] {
  const schemes = (op.security ?? []).flatMap((s) => Object.keys(s));
  if (schemes.length === 0) return "public";
  return schemes[0] === "adminToken" ? "admin" : "tenant";
}

/** Every operation the served /openapi.json describes: a route added later is read from it too. */
export async function loadOperations(): Promise<Operation[]> {
  const res = await api(OPENAPI_PATH);
  if (res.status !== 200) throw new Error(`GET ${OPENAPI_PATH}: ${res.status}`);
  const doc = res.body as { paths: Record<string, Record<string, RawOperation>>; components?: { schemas?: Record<string, JsonSchema> } };
  const components = doc.components?.schemas ?? {};
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, raw] of Object.entries(item)) {
      const op = deref(raw, components) as RawOperation;
      const body = op.requestBody
        ? {
            required: op.requestBody.required === true,
            content: Object.fromEntries(Object.entries(op.requestBody.content).map(([type, media]) => [type, media.schema ?? {}])),
          }
        : null;
      ops.push({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        access: accessOf(op),
        params: (op.parameters ?? []).map((p) => ({ name: p.name, in: p.in, required: p.required === true, schema: p.schema ?? {} })),
        body,
        statuses: Object.keys(op.responses ?? {}).map(Number),
      });
    }
  }
  return ops;
}

/** The path with each `{param}` replaced (values are encoded unless `raw`). */
export function fillPath(path: string, values: Record<string, string>, raw = false): string {
  return path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for {${name}} in ${path}`);
    return raw ? value : encodeURIComponent(value);
  });
}
