import { ApiError } from "../errors";
import { today } from "../lib/clock";
import { logLine } from "../lib/log";
import type { Catalog, CatalogDefaults, ModelEntry } from "./catalog-schema";

/** How long before a default model's shutdown the configuration starts warning. */
export const RETIREMENT_WARNING_DAYS = 30;

const DAY_MS = 86_400_000;

/** Whether the model has shut down by `on` (a UTC `YYYY-MM-DD`): its shutdown day answers nothing. */
export function isRetired(model: Pick<ModelEntry, "retirement">, on = today()): boolean {
  const date = model.retirement?.date;
  return date != null && on >= date;
}

/** Whole days from `on` until the model shuts down, or null when no shutdown is announced. */
export function daysUntilRetirement(model: Pick<ModelEntry, "retirement">, on = today()): number | null {
  const date = model.retirement?.date;
  if (date == null) return null;
  return Math.round((Date.parse(date) - Date.parse(on)) / DAY_MS);
}

const VARIABLE: Record<keyof CatalogDefaults, string> = {
  teacher: "DEFAULT_TEACHER_MODEL",
  judge: "DEFAULT_JUDGE_MODEL",
  embedding: "DEFAULT_EMBEDDING_MODEL",
};

/** Warnings already logged by this isolate, one per model, role and day. */
const warned = new Set<string>();

/**
 * Checks the default teacher, judge and embedding model against their shutdown dates: one
 * already retired is refused (a non-retryable `internal` error naming the variable to change,
 * as for any other bad configuration), one within RETIREMENT_WARNING_DAYS is logged as a warning.
 */
export function checkDefaultRetirements(catalog: Catalog, on = today()): void {
  const problems: string[] = [];
  for (const role of Object.keys(VARIABLE) as (keyof CatalogDefaults)[]) {
    const model = catalog.byId.get(catalog.defaults[role]);
    if (!model) continue; // parseCatalog has already refused an unknown default
    const days = daysUntilRetirement(model, on);
    if (days === null) continue;
    if (days <= 0) {
      problems.push(`the default ${role} "${model.id}" was shut down on ${model.retirement!.date} (${model.retirement!.source}): set ${VARIABLE[role]} to a current model`);
    } else if (days <= RETIREMENT_WARNING_DAYS) {
      const key = `${role}:${model.id}:${on}`;
      if (warned.has(key)) continue;
      warned.add(key);
      logLine("warn", "default model retires soon", {
        role,
        model: model.id,
        retires_on: model.retirement!.date,
        days_left: days,
        variable: VARIABLE[role],
        source: model.retirement!.source,
      });
    }
  }
  if (problems.length > 0) {
    throw new ApiError("internal", `The model configuration is invalid: ${problems.join("; ")}.`, { details: problems, retryable: false });
  }
}
