import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import type { Bindings } from "../../src/env";
import worker from "../../src/worker";
import { capture, registerSecret } from "./secrets";

export const bindings = env as Bindings;
export const ADMIN_TOKEN = bindings.ADMIN_TOKEN!;

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/**
 * Calls the Worker's own fetch handler (as a client would over HTTPS), records
 * the body for the secret-leak check, and registers any key it issues. `settle`: also wait
 * for the work the request left running after its answer (`waitUntil`: /openai/v1's usage and
 * captures), so a look at the tenant's state afterwards sees all of it.
 */
export async function api<T = any>(path: string, init: RequestInit & { json?: unknown; key?: string; settle?: boolean } = {}): Promise<ApiResponse<T>> {
  const headers = new Headers(init.headers);
  if (init.key) headers.set("Authorization", `Bearer ${init.key}`);
  let body = init.body;
  if (init.json !== undefined) {
    headers.set("Content-Type", "application/json");
    body = JSON.stringify(init.json);
  }
  const request = new Request(`https://distillery.test${path}`, { ...init, headers, body });
  let text: string;
  let res: Response;
  if (init.settle) {
    const ctx = createExecutionContext();
    res = await worker.fetch(request as Request<unknown, IncomingRequestCfProperties>, bindings, ctx);
    text = await res.text();
    await waitOnExecutionContext(ctx);
  } else {
    res = await exports.default.fetch(request);
    text = await res.text();
  }
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON (e.g. the docs page)
  }
  // The response that issues a key is the one place allowed to show it.
  let scanned = text;
  for (const k of issuedKeys(parsed)) {
    scanned = scanned.replaceAll(k, "[issued key]");
    registerSecret(k);
  }
  capture(`response ${init.method ?? "GET"} ${path}`, scanned);
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

function issuedKeys(body: unknown): string[] {
  if (!body || typeof body !== "object") return [];
  const o = body as { key?: unknown; api_key?: { key?: unknown } };
  return [o.key, o.api_key?.key].filter((k): k is string => typeof k === "string");
}

/** Creates a tenant through the admin API and returns its id and first key. */
export async function createTenant(name = "t"): Promise<{ id: string; key: string }> {
  const res = await api("/admin/tenants", { method: "POST", key: ADMIN_TOKEN, json: { name } });
  if (res.status !== 201) throw new Error(`tenant creation failed: ${res.status} ${res.text}`);
  return { id: res.body.tenant.id, key: res.body.api_key.key };
}
