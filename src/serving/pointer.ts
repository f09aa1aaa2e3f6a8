import type { Bindings } from "../env";
import { loadCatalog } from "../llm";
import { activeModelKey } from "../programs/models";

/**
 * The model a tenant is served by now: the hot path's copy of the Tenant object's truth, kept in
 * KV `MODELS` under `active:{tenant}` and written after the object commits (promotion, rollback).
 * No record means the tenant has never promoted anything: the configured teacher serves.
 *
 * (Seam shared by promotion, serving and deployments; the switch fills in history and caching.)
 */
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

/** Reads the tenant's pointer from KV (a short edge cache); the teacher when there is none. */
export async function activePointer(env: Bindings, tenantId: string): Promise<ActivePointer> {
  const stored = await env.MODELS.get<Partial<ActivePointer> & { model: string }>(activeModelKey(tenantId), { type: "json", cacheTtl: 30 });
  if (!stored) return teacherPointer(env);
  return { ...teacherPointer(env), served_as: "student", ...stored };
}
