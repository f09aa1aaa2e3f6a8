import { ADMIN_TOKEN, api, createTenant } from "../helpers/api";
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
  /** The tenant's lists and its resources' views: equal before and after a rejected request. */
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
  const reads = [
    "/api/keys",
    "/api/settings",
    "/api/documents?limit=100",
    `/api/documents/${doc.id}`,
    "/api/programs",
    "/api/datasets",
    `/api/datasets/${dataset.id}`,
    `/api/datasets/${dataset.id}/rows?limit=100`,
    "/api/jobs?limit=100",
    "/api/models",
  ];
  const snapshot = async () => {
    const views = await Promise.all(reads.map((path) => api(path, { key })));
    // last_used_at moves with every request the key makes: it is not a change a request caused.
    return views.map((v, i) => [reads[i], v.status, stripVolatile(v.body)]);
  };
  return { tenantId, key, ids, snapshot };
}

function stripVolatile(body: unknown): unknown {
  return JSON.parse(JSON.stringify(body, (k, v) => (k === "last_used_at" ? undefined : v)));
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
