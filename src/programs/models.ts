import type { Bindings } from "../env";
import { ApiError } from "../errors";
import { loadCatalog, resolveModel, type ModelEntry } from "../llm";

/** KV `MODELS` key holding a tenant's active model (written by promotion, a later issue). */
export const activeModelKey = (tenantId: string) => `active:${tenantId}`;

/**
 * The model a tenant's call runs on: the one asked for, else the tenant's active
 * model (KV `MODELS`, read with a short cache), else the configured default teacher.
 */
export async function modelForTenant(env: Bindings, tenantId: string, requested?: string): Promise<ModelEntry> {
  const catalog = loadCatalog(env);
  if (requested) return resolveModel(catalog, requested);
  const active = await env.MODELS.get<{ model: string }>(activeModelKey(tenantId), { type: "json", cacheTtl: 30 });
  return resolveModel(catalog, active?.model ?? catalog.defaults.teacher);
}

/** Tools mode needs a model that can call tools; say what to do instead. */
export function assertModeSupported(model: ModelEntry, mode: "tools" | "json"): void {
  if (mode === "tools" && !model.supports_tools) {
    throw new ApiError(
      "bad_request",
      `Model ${model.id} does not support tools (function calling); use mode "json" for this model.`,
      { details: { model: model.id, mode } },
    );
  }
}
