import type { TenantSettings } from "../durable/tenant/profile";

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
