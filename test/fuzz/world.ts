import { runInDurableObject } from "cloudflare:test";
import { ADMIN_TOKEN, api, bindings, createTenant } from "../helpers/api";
import { exampleLines } from "../helpers/jobs";
import { programSpec } from "../security/fixtures";
import type { Operation } from "./spec";

/**
 * One tenant with one of each resource a path can name (made through the API), the values its
 * path parameters take, and its own view of everything it owns: the fuzz and the content-type
 * contract test send their requests at it, so a case that gets past parsing reaches a handler
 * with something to find.
 */
export interface World {
  tenantId: string;
  key: string;
  /** Collection (`datasets`, `programs`, …) → the value its path parameter takes here. */
  ids: Record<string, string>;
  /** Everything the tenant has (see tenantState): equal before and after a rejected request. */
  snapshot(): Promise<unknown>;
}

/** An id nobody has, for a collection the world has nothing in (a route added later). */
export const UNKNOWN_ID = "zz_fuzz_unknown";

export async function makeWorld(tag: string): Promise<World> {
  const { id: tenantId, key } = await createTenant(`fuzz-${tag}`);
  const must = async (path: string, init: Parameters<typeof api>[1], status: number) => {
    const res = await api(path, { key, ...init });
    if (res.status !== status) throw new Error(`world ${tag}: ${init?.method ?? "GET"} ${path} → ${res.status} ${res.text}`);
    return res.body;
  };
  const dataset = await must("/api/datasets", { method: "POST", json: { name: `ds-${tag}` } }, 201);
  await must(`/api/datasets/${dataset.id}/import`, { method: "POST", headers: { "Content-Type": "application/x-ndjson" }, body: exampleLines(3, tag) }, 200);
  const program = `prog-${tag}`;
  await must("/api/programs", { method: "POST", json: { name: program, ...programSpec(`fuzz ${tag}`) } }, 201);
  const doc = (await must("/api/documents", { method: "POST", json: { title: `doc ${tag}`, text: `Notes for ${tag}.` } }, 202)).document;
  const issued = await must("/api/keys", { method: "POST", json: { name: `spare ${tag}` } }, 201);
  const ids: Record<string, string> = {
    tenants: tenantId,
    datasets: dataset.id,
    programs: program,
    documents: doc.id,
    keys: issued.id,
    jobs: "ftjob_fuzz_none",
  };
  const snapshot = () => tenantState(tenantId);
  return { tenantId, key, ids, snapshot };
}

/** Without what moves on its own: a key's last use (every request moves it) and an error's request id. */
/** Tables whose rows move without the tenant's data changing: replay records, step leases. */
const VOLATILE_TABLES = new Set(["idempotency", "leases"]);
/** Columns that move on every request: a key's last use. */
const VOLATILE_COLUMNS = new Set(["last_used_at"]);

/**
 * Everything the tenant has: every row of its Durable Object's tables (but the volatile ones) and the
 * keys of its objects in R2. One call, not a request per list: the fuzz looks at it around every
 * rejected request, and it sees more than the lists show (a half-written row, an orphaned original).
 */
export async function tenantState(tenantId: string): Promise<unknown> {
  const stub = bindings.TENANT.get(bindings.TENANT.idFromName(tenantId));
  const tables = await runInDurableObject(stub, (_instance, state) => {
    const sql = state.storage.sql;
    const names = sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .toArray()
      .map((r) => r.name)
      .filter((n) => !n.startsWith("_cf") && !n.startsWith("sqlite") && !VOLATILE_TABLES.has(n));
    return names.map((name) => {
      const rows = sql.exec(`SELECT * FROM "${name}"`).toArray();
      return [name, rows.map((r) => JSON.stringify(r, (k, v) => (VOLATILE_COLUMNS.has(k) ? undefined : v instanceof ArrayBuffer ? [...new Uint8Array(v)] : v)))];
    });
  });
  const objects = await bindings.DATA.list({ prefix: `tenants/${tenantId}/` });
  return [...tables, ["r2", objects.objects.map((o) => `${o.key} ${o.size}`)]];
}

/** The credential an operation takes in this world. */
export function credentialFor(op: Operation, world: World): string | undefined {
  if (op.access === "admin") return ADMIN_TOKEN;
  if (op.access === "tenant") return world.key;
  return undefined;
}

/** The collection a path parameter names (`/api/datasets/{id}/rows`, `id` → `datasets`). */
export function collectionOf(path: string, param: string): string {
  const segments = path.split("/");
  return segments[segments.indexOf(`{${param}}`) - 1] ?? "";
}

/** The world's value for each path parameter: an enum's first choice, else the resource the collection names. */
export function pathValues(op: Operation, world: World): Record<string, string> {
  const values: Record<string, string> = {};
  for (const p of op.params.filter((p) => p.in === "path")) {
    values[p.name] = p.schema.enum?.length ? String(p.schema.enum[0]) : (world.ids[collectionOf(op.path, p.name)] ?? UNKNOWN_ID);
  }
  return values;
}
