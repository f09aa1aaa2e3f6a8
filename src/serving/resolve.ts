import type { TenantHandle } from "../durable/tenant";
import type { Bindings } from "../env";
import { ApiError } from "../errors";
import { loadCatalog, resolveModel, type ModelEntry } from "../llm";
import { activePointer, type ActivePointer } from "./pointer";

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

async function fromRegistry(env: Bindings, tenant: TenantHandle, id: string, asked: string): Promise<Omit<ServedModel, "pointer">> {
  const { models } = await tenant.models.registry();
  const registered = models.find((m) => m.id === id);
  if (!registered) throw modelNotFound(asked);
  if (!registered.servable) {
    throw new ApiError("conflict", `The model '${id}' cannot serve yet: deploy it first.`, { details: [{ path: "model", message: "not servable", model: id }] });
  }
  const entry = resolveModel(loadCatalog(env), id, [{ id, base_model: registered.base_model }]);
  return { entry: chatModel(entry), served_as: "student", base_url: null };
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
