import type { TenantHandle } from "../durable/tenant";
import type { Bindings } from "../env";
import { ApiError } from "../errors";
import { loadCatalog, resolveModel, type ModelEntry } from "../llm";
import { resolveServedModel } from "../serving/resolve";

/** The KV key of a tenant's active-model pointer (kept with the pointer; re-exported for older callers). */
export { activeModelKey } from "../serving/pointer";


/**
 * The model a tenant's call runs on: the one asked for, else the tenant's active model as serving
 * resolves it (the pointer, then a registered fine-tune's base and, when it is deployed, its
 * deployment's inference name), else the configured teacher.
 */
export async function modelForTenant(env: Bindings, tenant: TenantHandle, requested?: string): Promise<ModelEntry> {
  if (requested) return resolveModel(loadCatalog(env), requested);
  return (await resolveServedModel(env, tenant, undefined)).entry;
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
