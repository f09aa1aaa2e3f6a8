import { ApiError } from "../errors";
import type { Catalog, ModelEntry, ModelEntryInput } from "./catalog-schema";

/** A fine-tuned model known outside the catalog (e.g. a tenant's student), and the base it was trained from. */
export interface FineTunedModelRef {
  /** The id callers use; also the upstream name unless `model` says otherwise. */
  id: string;
  /** Catalog id of the base model. */
  base_model: string;
  model?: string;
}

/** The base model named inside an OpenAI fine-tune id `ft:<base>:<org>:<suffix>:<id>`, if `id` is one. */
export function openAIFineTuneBase(id: string): string | undefined {
  if (!id.startsWith("ft:")) return undefined;
  const base = id.split(":")[1];
  return base ? base : undefined;
}

/**
 * The entry of a fine-tune: its base's entry with the fine-tune's id and upstream name, serving
 * prices when the provider charges more for fine-tunes, and any fields the override sets.
 */
export function inheritFromBase(base: ModelEntry, override: ModelEntryInput): ModelEntry {
  const { fine_tuned: servedAs, ...basePrices } = base.prices;
  const prices = { ...basePrices, ...(servedAs ?? {}), ...(override.prices ?? {}) };
  return {
    ...base,
    ...stripUndefined(override),
    id: override.id,
    model: override.model ?? override.id,
    base_model: base.id,
    prices,
  };
}

/**
 * Finds a model by id: a catalog entry; else `ft:<base>:…` (OpenAI) or a registered fine-tune,
 * inheriting its base's entry; else a `bad_request` ApiError listing the known ids.
 */
export function resolveModel(
  catalog: Catalog,
  id: string,
  registered: readonly FineTunedModelRef[] = [],
): ModelEntry {
  const entry = catalog.byId.get(id);
  if (entry) return entry;

  const ref = registered.find((r) => r.id === id);
  const baseId = ref?.base_model ?? openAIFineTuneBase(id);
  if (baseId !== undefined) {
    const base = catalog.byId.get(baseId);
    if (!base) {
      throw new ApiError(
        "bad_request",
        `Fine-tuned model "${id}" is based on "${baseId}", which is not in the model catalog.`,
        { details: { model: id, base_model: baseId, known_models: knownIds(catalog) } },
      );
    }
    return inheritFromBase(base, { id, model: ref?.model });
  }

  const known = knownIds(catalog);
  throw new ApiError(
    "bad_request",
    `Unknown model "${id}". Known models: ${known.join(", ")} (and fine-tunes of them, as ft:<base>:…).`,
    { details: { model: id, known_models: known } },
  );
}

function knownIds(catalog: Catalog): string[] {
  return catalog.models.map((m) => m.id);
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
