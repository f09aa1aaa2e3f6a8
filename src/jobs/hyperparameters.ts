import { ApiError } from "../errors";
import type { FineTuneSpec } from "../llm";
import { COMMON_NAMES } from "../providers/hyperparameter-names";

/**
 * One vocabulary for every provider, OpenAI's: `n_epochs`, `batch_size`, `learning_rate_multiplier`,
 * plus `lora_rank` and `lora_alpha` for LoRA providers. Each provider's own name for the same thing
 * (Together's `lora_r`, Fireworks' `epochs`, the absolute `learning_rate`) is still accepted.
 * `learning_rate_multiplier` scales the provider's default learning rate (the catalog's), as OpenAI's
 * multiplies its own; the two may not be given together.
 */

/** The caller's hyperparameters in the provider's own names (problems for a name given twice). */
export function toProviderNames(provider: string, spec: FineTuneSpec, given: Record<string, number>, problems: string[]): Record<string, number> {
  const names = COMMON_NAMES[provider] ?? {};
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(given)) {
    const own = names[name];
    if (!own) {
      if (name in out) problems.push(`${name} is given twice (also under another name)`);
      else out[name] = value;
      continue;
    }
    if (own in given || own in out) {
      problems.push(`${name} and ${own} name the same ${provider} hyperparameter: give one`);
      continue;
    }
    if (name === "learning_rate_multiplier") {
      const base = spec.hyperparameters[own]?.default;
      if (base === undefined || !Number.isFinite(value) || value <= 0) {
        problems.push(`learning_rate_multiplier must be a positive number (got ${value})`);
        continue;
      }
      out[own] = value * base;
    } else {
      out[own] = value;
    }
  }
  return out;
}

/**
 * Checks the caller's hyperparameters (in the common vocabulary or the provider's) against the
 * provider's ranges in the catalog and fills the defaults the catalog gives; anything else is left
 * to the provider's own defaults. The answer is in the provider's names.
 */
export function checkHyperparameters(provider: string, spec: FineTuneSpec, common: Record<string, number> = {}): Record<string, number> {
  const problems: string[] = [];
  const given = toProviderNames(provider, spec, common, problems);
  const allowed = [...Object.keys(COMMON_NAMES[provider] ?? {}), ...Object.keys(spec.hyperparameters)];
  for (const [name, value] of Object.entries(given)) {
    const range = spec.hyperparameters[name];
    if (!range) {
      problems.push(`${name} is not a ${provider} hyperparameter (allowed: ${allowed.join(", ")})`);
    } else if (!Number.isFinite(value) || value < range.min || value > range.max) {
      problems.push(`${name} must be between ${range.min} and ${range.max} for ${provider} (got ${value})`);
    } else if (range.integer && !Number.isInteger(value)) {
      problems.push(`${name} must be a whole number (got ${value})`);
    }
  }
  if (problems.length) {
    throw new ApiError("bad_request", `Invalid hyperparameters: ${problems.join("; ")}.`, {
      details: { field: "hyperparameters", problems, ranges: spec.hyperparameters },
    });
  }
  const resolved: Record<string, number> = {};
  for (const [name, range] of Object.entries(spec.hyperparameters)) {
    const value = given[name] ?? range.default;
    if (value !== undefined) resolved[name] = value;
  }
  return resolved;
}

/** The epochs a job trains for, under the name each provider uses; undefined means the provider decides. */
export function epochsOf(hyperparameters: Record<string, number>): number | undefined {
  return hyperparameters.n_epochs ?? hyperparameters.epochs;
}
