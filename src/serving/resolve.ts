import type { TenantHandle } from "../durable/tenant";
import type { Bindings } from "../env";
import { ApiError } from "../errors";
import { loadCatalog, resolveModel, type ModelEntry } from "../llm";
import { nowMs } from "../lib/clock";
import { IsolateCache } from "../lib/isolate-cache";
import { activePointer, type ActivePointer, POINTER_CACHE_MS, POINTER_CACHE_TENANTS } from "./pointer";

/** The alias for the tenant's active model (also what an omitted `model` means). */
export const ACTIVE_ALIAS = "distillery:active";
/** The alias for the configured teacher. */
export const TEACHER_ALIAS = "distillery:teacher";

/** What answers a request: the catalog entry to call, whether it is the tenant's student, and where. */
export interface ServedModel {
  entry: ModelEntry;
  served_as: "student" | "teacher";
  /** A dedicated deployment's inference base URL (from the pointer), else null: the provider's own. */
  base_url: string | null;
  /** The pointer consulted, when the request asked for the active model. */
  pointer: ActivePointer | null;
}

/**
 * Resolves the request's `model`: omitted or `distillery:active` → the tenant's pointer (KV, short
 * cache); `distillery:teacher` → the catalog's teacher; else an id in the tenant's registry or the
 * catalog. Unknown (or another tenant's fine-tune) → 404 `model_not_found`; an embedding model, or a
 * registered model that cannot be called yet → 4xx saying why.
 */
export async function resolveServedModel(env: Bindings, tenant: TenantHandle, requested: string | undefined): Promise<ServedModel> {
  const catalog = loadCatalog(env);
  if (requested === undefined || requested === ACTIVE_ALIAS) {
    const pointer = await activePointer(env, tenant.id);
    if (pointer.served_as === "teacher" || catalog.byId.has(pointer.model)) {
      return { entry: chatModel(resolveModel(catalog, pointer.model)), served_as: pointer.served_as, base_url: pointer.base_url, pointer };
    }
    // A registered fine-tune: its base (from the registry) gives its catalog entry.
    const served = await fromRegistry(env, tenant, pointer.model, ACTIVE_ALIAS);
    return { ...served, base_url: pointer.base_url ?? served.base_url, pointer };
  }
  if (requested === TEACHER_ALIAS) {
    return { entry: chatModel(resolveModel(catalog, catalog.defaults.teacher)), served_as: "teacher", base_url: null, pointer: null };
  }
  const entry = catalog.byId.get(requested);
  if (entry) {
    return { entry: chatModel(entry), served_as: requested === catalog.defaults.teacher ? "teacher" : "student", base_url: null, pointer: null };
  }
  return { ...(await fromRegistry(env, tenant, requested, requested)), pointer: null };
}

/**
 * A registered fine-tune's resolution, kept per isolate as briefly as the pointer (a change of
 * servability, such as a deployment stopping, is seen within the same bound): a served request for
 * the tenant's active fine-tune then makes no Durable Object round trip (issue 20's hot path).
 */
const registryCache = new IsolateCache<Omit<ServedModel, "pointer">>(POINTER_CACHE_MS, POINTER_CACHE_TENANTS);

async function fromRegistry(env: Bindings, tenant: TenantHandle, id: string, asked: string): Promise<Omit<ServedModel, "pointer">> {
  const key = `${tenant.id}\n${id}`;
  const hit = registryCache.get(key);
  if (hit) return hit;
  const at = nowMs();
  // One call: the registered model and how it is reached (through a deployment, issue 21).
  const found = await tenant.deployments.model(id).catch((err: unknown) => {
    if (err instanceof ApiError && err.status === 404) throw modelNotFound(asked);
    throw err;
  });
  const registered = found.model;
  if (!registered.servable) {
    throw new ApiError("conflict", `The model '${id}' cannot serve yet: deploy it first.`, { details: [{ path: "model", message: "not servable", model: id }] });
  }
  const entry = resolveModel(loadCatalog(env), id, [{ id, base_model: registered.base_model }]);
  // Served through a deployment: its name at the provider, and its base URL when it has one.
  const serving = found.serving;
  const served =
    serving?.inference_model
      ? { entry: chatModel({ ...entry, model: serving.inference_model }), served_as: "student" as const, base_url: serving.base_url }
      : { entry: chatModel(entry), served_as: "student" as const, base_url: null };
  registryCache.set(key, served, at);
  return served;
}

/** Drops this isolate's resolution of a tenant's model (its servability changed here). */
export function forgetResolved(tenantId: string, model: string): void {
  registryCache.delete(`${tenantId}\n${model}`);
}

function chatModel(entry: ModelEntry): ModelEntry {
  if (entry.kind !== "chat") {
    throw new ApiError("bad_request", `The model '${entry.id}' is an embedding model; chat completions need a chat model.`, {
      details: [{ path: "model", message: "not a chat model" }],
    });
  }
  return entry;
}

/** OpenAI's 404 for a model the caller may not use. */
export function modelNotFound(id: string): ApiError {
  return new ApiError("model_not_found", `The model '${id}' does not exist or you do not have access to it.`, {
    details: [{ path: "model", message: "unknown model" }],
  });
}
