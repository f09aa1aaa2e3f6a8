/** The tenant's own record and settings, in its database. */

/** A tenant's own defaults; each issue adds its section. */
export interface TenantSettings {
  chunking?: { chunk_size?: number; chunk_overlap?: number; encoding?: "cl100k_base" | "o200k_base" };
  /** `/openai/v1`: fallback to the teacher, the schema guard, capture of live traffic (src/serving/settings.ts). */
  serving?: { fallback?: boolean; schema_guard?: boolean; capture?: { dataset: string; sample_rate: number } | null };
}

export interface TenantInfo {
  id: string;
  name: string;
  created_at: string;
  settings: TenantSettings;
}

export type SettingsPatch = { [K in keyof TenantSettings]?: TenantSettings[K] | null };

/** Creates the tenant record once; a repeat changes nothing. */
export function createTenant(sql: SqlStorage, info: { id: string; name: string; created_at: string }): void {
  sql.exec("INSERT OR IGNORE INTO tenant (id, name, created_at) VALUES (?, ?, ?)", info.id, info.name, info.created_at);
}

export function tenantInfo(sql: SqlStorage): TenantInfo | null {
  const row = sql.exec<{ id: string; name: string; created_at: string; settings: string | null }>("SELECT * FROM tenant LIMIT 1").toArray()[0];
  if (!row) return null;
  return { id: row.id, name: row.name, created_at: row.created_at, settings: JSON.parse(row.settings ?? "{}") as TenantSettings };
}

/** Merges a settings patch section by section; a null section is removed. */
export function updateSettings(sql: SqlStorage, patch: SettingsPatch): TenantSettings {
  const next: Record<string, unknown> = { ...tenantInfo(sql)?.settings };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete next[k];
    else if (v !== undefined) next[k] = v;
  }
  sql.exec("UPDATE tenant SET settings = ?", JSON.stringify(next));
  return next as TenantSettings;
}
