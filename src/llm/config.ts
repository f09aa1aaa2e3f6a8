import { today } from "../lib/clock";
import { z } from "zod";
import type { Bindings } from "../env";
import { ApiError } from "../errors";
import { BUILTIN_CATALOG } from "./catalog";
import {
  type Catalog,
  type CatalogInput,
  defaultsSchema,
  fineTuneProviderSchema,
  fineTuneSpecSchema,
  modelEntryInputSchema,
} from "./catalog-schema";
import { parseCatalog } from "./parse-catalog";
import { checkDefaultRetirements } from "./retirement";

/** The variables the catalog reads; any Bindings object satisfies it. */
export type CatalogEnv = Pick<
  Bindings,
  "MODEL_CATALOG" | "DEFAULT_TEACHER_MODEL" | "DEFAULT_JUDGE_MODEL" | "DEFAULT_EMBEDDING_MODEL"
>;

/**
 * MODEL_CATALOG: models and fine-tune providers to add or override, and defaults. A model whose
 * id exists is patched field by field (`prices` key by key); a new id must be complete, or name
 * a `base_model` to inherit from. A fine-tune provider is patched likewise (`hyperparameters`
 * range by range).
 */
export const catalogOverrideSchema = z.strictObject({
  models: z.array(modelEntryInputSchema).optional(),
  fine_tuning: z.partialRecord(fineTuneProviderSchema, fineTuneSpecSchema.partial()).optional(),
  defaults: defaultsSchema.partial().optional(),
});
export type CatalogOverride = z.infer<typeof catalogOverrideSchema>;

const MAX_CACHED = 16;
const cache = new Map<string, { catalog: Catalog; checkedOn?: string } | { error: ApiError }>();

/**
 * The deployment's catalog: the built-in one, merged with MODEL_CATALOG and the DEFAULT_*_MODEL
 * variables, validated. Cached per isolate by the raw strings, so the hot path pays a lookup.
 */
export function loadCatalog(env: CatalogEnv): Catalog {
  const key = JSON.stringify([
    env.MODEL_CATALOG ?? null,
    env.DEFAULT_TEACHER_MODEL ?? null,
    env.DEFAULT_JUDGE_MODEL ?? null,
    env.DEFAULT_EMBEDDING_MODEL ?? null,
  ]);
  let hit = cache.get(key);
  if (!hit) {
    try {
      hit = { catalog: buildCatalog(env) };
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      hit = { error: err };
    }
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
    cache.set(key, hit);
  }
  if ("error" in hit) throw hit.error;
  // Checked once a day, not cached with the catalog: the same configuration becomes invalid the day
  // a default retires (a failed check is not remembered, so it throws on every call that day).
  const day = today();
  if (hit.checkedOn !== day) {
    checkDefaultRetirements(hit.catalog, day);
    hit.checkedOn = day;
  }
  return hit.catalog;
}

function buildCatalog(env: CatalogEnv): Catalog {
  const rawOverride = env.MODEL_CATALOG?.trim();
  let merged = BUILTIN_CATALOG;
  if (rawOverride) merged = mergeCatalog(merged, parseOverride(rawOverride));

  const fromEnv = {
    teacher: nonEmpty(env.DEFAULT_TEACHER_MODEL),
    judge: nonEmpty(env.DEFAULT_JUDGE_MODEL),
    embedding: nonEmpty(env.DEFAULT_EMBEDDING_MODEL),
  };
  merged = {
    ...merged,
    defaults: {
      teacher: fromEnv.teacher ?? merged.defaults.teacher,
      judge: fromEnv.judge ?? merged.defaults.judge,
      embedding: fromEnv.embedding ?? merged.defaults.embedding,
    },
  };
  return parseCatalog(merged, rawOverride ? "MODEL_CATALOG (merged over the built-in catalog)" : "the model catalog", {
    teacher: fromEnv.teacher && "DEFAULT_TEACHER_MODEL",
    judge: fromEnv.judge && "DEFAULT_JUDGE_MODEL",
    embedding: fromEnv.embedding && "DEFAULT_EMBEDDING_MODEL",
  });
}

function parseOverride(raw: string): CatalogOverride {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    // The text of a JSON.parse error quotes the input; MODEL_CATALOG may be a secret, so only
    // the position is kept.
    const position = /position (\d+)/.exec(String(err))?.[1];
    throw new ApiError(
      "internal",
      `MODEL_CATALOG is not valid JSON${position ? ` (at position ${position})` : ""}: set it to a JSON object like {"models": [...], "fine_tuning": {...}, "defaults": {...}}.`,
      { retryable: false },
    );
  }
  const parsed = catalogOverrideSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new ApiError("internal", `MODEL_CATALOG is invalid: ${problems.join("; ")}`, {
      details: problems,
      retryable: false,
    });
  }
  return parsed.data;
}

/** Applies an override to a catalog as written; the result is validated by parseCatalog. */
export function mergeCatalog(base: CatalogInput, override: CatalogOverride): CatalogInput {
  const models = [...base.models];
  for (const patch of override.models ?? []) {
    const at = models.findIndex((m) => m.id === patch.id);
    if (at === -1) models.push(patch);
    else {
      const current = models[at]!;
      models[at] = { ...current, ...patch, prices: { ...current.prices, ...patch.prices } };
    }
  }
  const fine_tuning = { ...base.fine_tuning };
  for (const [provider, patch] of Object.entries(override.fine_tuning ?? {})) {
    const name = provider as keyof typeof fine_tuning;
    const current = fine_tuning[name];
    // A new provider's spec may be partial here; parseCatalog reports what is missing.
    fine_tuning[name] = {
      ...current,
      ...patch,
      hyperparameters: { ...current?.hyperparameters, ...patch.hyperparameters },
    } as NonNullable<(typeof fine_tuning)[typeof name]>;
  }
  return { models, fine_tuning, defaults: { ...base.defaults, ...override.defaults } };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
