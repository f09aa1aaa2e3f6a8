import type { TenantHandle } from "../durable/tenant";
import type { TenantSettings } from "../durable/tenant/profile";
import { nowMs } from "../lib/clock";
import { IsolateCache } from "../lib/isolate-cache";

/** A tenant's serving settings with the defaults filled in. */
export interface ServingSettings {
  /** The teacher answers when the student fails (5xx, timeout, no connection). Default on. */
  fallback: boolean;
  /** Check a student's strict json_schema / forced tool call answers, and fall back when invalid. Default off. */
  schema_guard: boolean;
  /** Capture a share of live exchanges into a dataset, without the header. */
  capture: { dataset: string; sample_rate: number } | null;
}

/** The serving section of a tenant's settings, defaults applied. */
export function servingSettings(settings: TenantSettings): ServingSettings {
  const s = settings.serving ?? {};
  return { fallback: s.fallback ?? true, schema_guard: s.schema_guard ?? false, capture: s.capture ?? null };
}

/**
 * How long another isolate may serve with a tenant's old serving settings (fallback, guard,
 * capture) after a change. The isolate that changes them forgets its copy at once. Cached so a
 * served request makes no Durable Object round trip for them (issue 20's hot path).
 */
export const SERVING_SETTINGS_TTL_MS = 30_000;
const cached = new IsolateCache<ServingSettings>(SERVING_SETTINGS_TTL_MS, 10_000);

/** The tenant's serving settings, from this isolate's copy when it is younger than the bound. */
export async function servingSettingsOf(tenant: Pick<TenantHandle, "id" | "profile">): Promise<ServingSettings> {
  const hit = cached.get(tenant.id);
  if (hit) return hit;
  const at = nowMs();
  const settings = servingSettings(await tenant.profile.settings());
  cached.set(tenant.id, settings, at);
  return settings;
}

/** Drops this isolate's copy (the settings changed here). */
export function forgetServingSettings(tenantId: string): void {
  cached.delete(tenantId);
}
