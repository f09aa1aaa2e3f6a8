import type { z } from "zod";
import { ApiError } from "../errors";
import {
  type Catalog,
  type CatalogDefaults,
  catalogInputSchema,
  type ModelEntry,
  type ModelEntryInput,
  modelEntrySchema,
} from "./catalog-schema";
import { inheritFromBase, resolveModel } from "./resolve-model";

/**
 * Validates a catalog as written and returns it resolved (fine-tunes inherit their base, every
 * entry has its upstream name). Throws a non-retryable `internal` ApiError naming `source` and
 * every problem found: a bad catalog is a deployment mistake, not a caller's. `defaultLabels`
 * names the variable a default came from, so the message points at what to fix.
 */
export function parseCatalog(
  input: unknown,
  source = "the model catalog",
  defaultLabels: Partial<Record<keyof CatalogDefaults, string | undefined>> = {},
): Catalog {
  const parsed = catalogInputSchema.safeParse(input);
  if (!parsed.success) throw catalogError(source, formatIssues(parsed.error.issues));
  const raw = parsed.data;
  const problems: string[] = [];

  const rawById = new Map<string, { entry: ModelEntryInput; index: number }>();
  raw.models.forEach((entry, index) => {
    if (rawById.has(entry.id)) problems.push(`models[${index}].id: duplicate id "${entry.id}"`);
    rawById.set(entry.id, { entry, index });
  });

  const byId = new Map<string, ModelEntry>();
  const resolving = new Set<string>();
  const resolve = (id: string): ModelEntry | undefined => {
    const done = byId.get(id);
    if (done) return done;
    const found = rawById.get(id);
    if (!found) return undefined;
    const { entry, index } = found;
    if (resolving.has(id)) {
      problems.push(`models[${index}].base_model: "${id}" inherits from itself`);
      return undefined;
    }
    resolving.add(id);
    let candidate: unknown = entry;
    if (entry.base_model !== undefined) {
      const base = resolve(entry.base_model);
      if (!base) {
        problems.push(`models[${index}].base_model: "${entry.base_model}" is unknown or invalid`);
        return undefined;
      }
      candidate = inheritFromBase(base, entry);
    }
    const checked = modelEntrySchema.safeParse(candidate);
    if (!checked.success) {
      problems.push(...formatIssues(checked.error.issues, `models[${index}]`));
      return undefined;
    }
    const model: ModelEntry = { ...checked.data, model: checked.data.model ?? checked.data.id };
    byId.set(id, model);
    return model;
  };
  for (const id of rawById.keys()) resolve(id);

  const catalog: Catalog = {
    models: [...byId.values()],
    byId,
    fine_tuning: raw.fine_tuning,
    defaults: raw.defaults,
  };

  for (const [provider, spec] of Object.entries(raw.fine_tuning)) {
    spec.base_models.forEach((id, i) => {
      const model = byId.get(id);
      const at = `fine_tuning.${provider}.base_models[${i}]`;
      if (!model) problems.push(`${at}: unknown model "${id}"`);
      else if (model.provider !== provider) problems.push(`${at}: "${id}" is served by ${model.provider}`);
    });
  }

  for (const [role, kind] of [["teacher", "chat"], ["judge", "chat"], ["embedding", "embedding"]] as const) {
    const id = raw.defaults[role];
    const at = defaultLabels[role] ?? `defaults.${role}`;
    try {
      const model = resolveModel(catalog, id);
      if (model.kind !== kind) problems.push(`${at}: "${id}" is a ${model.kind} model, not ${kind}`);
    } catch {
      problems.push(`${at}: unknown model "${id}"`);
    }
  }

  if (problems.length > 0) throw catalogError(source, problems);
  return catalog;
}

function catalogError(source: string, problems: string[]): ApiError {
  return new ApiError("internal", `${source} is invalid: ${problems.join("; ")}`, {
    details: problems,
    retryable: false,
  });
}

function formatIssues(issues: readonly z.core.$ZodIssue[], prefix = ""): string[] {
  return issues.map((issue) => {
    const path = issue.path.reduce<string>(
      (acc, part) => (typeof part === "number" ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part)),
      prefix,
    );
    return `${path || "(root)"}: ${issue.message}`;
  });
}
