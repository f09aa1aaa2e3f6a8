import { createApp, OPENAPI_PATH } from "../../src/app";

/** Who may call a route: nobody needs a credential, a tenant key, or the operator's admin token. */
export type Access = "public" | "tenant" | "admin";

export interface PathParam {
  name: string;
  /** The first allowed value when the parameter is an enum (a choice such as a split, not an id). */
  value?: string;
}

export interface RouteInfo {
  /** `METHOD /path/:param`, as the router lists it. */
  key: string;
  method: string;
  path: string;
  access: Access;
  params: PathParam[];
  bodyRequired: boolean;
}

/** Routes the OpenAPI document leaves out on purpose (it cannot describe itself); public by rule. */
const UNDOCUMENTED_PUBLIC = new Set(["GET /docs", `GET ${OPENAPI_PATH}`]);

interface Operation {
  security?: Record<string, string[]>[];
  parameters?: { in: string; name: string; schema?: { enum?: unknown[] } }[];
  requestBody?: { required?: boolean };
}

/** The access an operation's OpenAPI `security` declares. */
function accessOf(op: Operation): Access {
  const schemes = (op.security ?? []).flatMap((s) => Object.keys(s));
  if (schemes.length === 0) return "public";
  if (schemes.length === 1 && schemes[0] === "tenantKey") return "tenant";
  if (schemes.length === 1 && schemes[0] === "adminToken") return "admin";
  throw new Error(`unexpected security ${JSON.stringify(op.security)}`);
}

/**
 * Every route `createApp()` serves, read from the router itself (as test/openapi.test.ts does) and
 * described by its OpenAPI operation: who may call it, its path parameters, whether it needs a body.
 * Middleware (`ALL`, `*`) and preflight `OPTIONS` are excluded by rule.
 */
export function routeInventory(): RouteInfo[] {
  const app = createApp();
  const doc = app.getOpenAPI31Document({ openapi: "3.1.0", info: { title: "inventory", version: "0" } });
  const keys = new Set(
    app.routes
      .filter((r) => r.method !== "ALL" && r.method !== "OPTIONS" && !r.path.includes("*"))
      .map((r) => `${r.method} ${r.path}`),
  );
  return [...keys].map((key) => {
    const [method, path] = key.split(" ") as [string, string];
    const op = (doc.paths?.[path.replace(/:(\w+)/g, "{$1}")] as Record<string, Operation> | undefined)?.[method.toLowerCase()];
    if (!op) {
      if (!UNDOCUMENTED_PUBLIC.has(key)) throw new Error(`${key} has no OpenAPI operation: its access cannot be read`);
      return { key, method, path, access: "public", params: [], bodyRequired: false };
    }
    const params = (op.parameters ?? [])
      .filter((p) => p.in === "path")
      .map((p) => (p.schema?.enum?.length ? { name: p.name, value: String(p.schema.enum[0]) } : { name: p.name }));
    return { key, method, path, access: accessOf(op), params, bodyRequired: op.requestBody?.required === true };
  });
}

/** The collection a path parameter belongs to with its name (`/api/datasets/:id/rows` → `datasets/:id`). */
export function idSlot(path: string, param: string): string {
  const segments = path.split("/");
  const at = segments.indexOf(`:${param}`);
  return `${segments[at - 1]}/:${param}`;
}

/** The path with each `:param` replaced by its value. */
export function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/:(\w+)/g, (_m, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for :${name} in ${path}`);
    return encodeURIComponent(value);
  });
}
