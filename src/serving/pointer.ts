import type { Bindings } from "../env";
import { IsolateCache } from "../lib/isolate-cache";
import { loadCatalog } from "../llm";

/**
 * The model a tenant is served by now: the hot path's copy of the Tenant object's truth, kept in
 * KV `MODELS` under `active:{tenant}` and written after the object commits (promotion, rollback).
 * No record means the tenant has never promoted anything: the configured teacher serves.
 *
 * (Seam shared by promotion, serving and deployments. The truth and its history: src/durable/tenant/active-model.ts.)
 */
/** KV `MODELS` key holding a tenant's pointer (written by the Tenant object after a switch commits). */
export const activeModelKey = (tenantId: string) => `active:${tenantId}`;

export interface ActivePointer {
  /** Increases by one on every change; 0 when nothing was ever promoted. */
  version: number;
  /** The id callers use (a catalog id or a registered fine-tune). */
  model: string;
  /** The provider whose OpenAI-compatible endpoint serves it. */
  provider: string;
  /** The inference base URL when it is not the provider's own (a dedicated deployment); else null. */
  base_url: string | null;
  /** Whether the tenant's own student or the teacher answers. */
  served_as: "student" | "teacher";
  /** The eval that justified the change, when one did. */
  eval_id: string | null;
  /** ISO time of the change; null for the implicit teacher pointer. */
  updated_at: string | null;
}

/** The pointer used when a tenant has none: the catalog's teacher, version 0. */
export function teacherPointer(env: Bindings): ActivePointer {
  const teacher = loadCatalog(env).defaults.teacher;
  const provider = loadCatalog(env).models.find((m) => m.id === teacher)?.provider ?? "openai";
  return { version: 0, model: teacher, provider, base_url: null, served_as: "teacher", eval_id: null, updated_at: null };
}

/**
 * How long an isolate trusts the pointer it read before reading KV again. With KV's own propagation
 * (a write is seen elsewhere within about 60 s; reads use KV's minimum `cacheTtl` of 30 s, inside that
 * bound), a change reaches every isolate within POINTER_STALE_BOUND_MS. The isolate that made the
 * change sees it at once (`forgetPointer`).
 */
export const POINTER_CACHE_MS = 10_000;
/** KV's propagation (about 60 s) plus the isolate's cache: the README's stated bound. */
export const POINTER_STALE_BOUND_MS = 60_000 + POINTER_CACHE_MS;
/** Tenants whose pointer one isolate keeps (oldest read dropped first): bounds the isolate's memory. */
export const POINTER_CACHE_TENANTS = 1_000;

// Per isolate. A stale entry still says the newest version this isolate has seen per tenant, so a
// KV read that lags behind a change this isolate made (or saw) never moves the pointer back.
const cache = new IsolateCache<ActivePointer>(POINTER_CACHE_MS, POINTER_CACHE_TENANTS);

/** Reads the tenant's pointer: the isolate's cached copy, else KV; the teacher when there is none. */
export async function activePointer(env: Bindings, tenantId: string): Promise<ActivePointer> {
  const fresh = cache.get(tenantId);
  if (fresh) return fresh;
  const seen = cache.peek(tenantId);
  const stored = await env.MODELS.get<Partial<ActivePointer> & { model: string }>(activeModelKey(tenantId), { type: "json", cacheTtl: 30 });
  const read = stored ? { ...teacherPointer(env), served_as: "student" as const, ...stored } : teacherPointer(env);
  const pointer = seen && seen.version > read.version ? seen : read;
  cache.set(tenantId, pointer);
  return pointer;
}

/**
 * Called by the isolate that changed the pointer: drops its cached copy at once. Given the object's
 * answer (`newest`), it serves that from here on instead, since KV may still hold the old version
 * for a while even here (the object, not this isolate, wrote it); a lower version never replaces it.
 */
export function forgetPointer(tenantId: string, newest?: ActivePointer): void {
  const seen = cache.peek(tenantId);
  if (!newest) cache.delete(tenantId);
  else if (!seen || seen.version <= newest.version) cache.set(tenantId, newest);
}
