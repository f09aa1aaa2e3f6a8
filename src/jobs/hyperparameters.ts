import { ApiError } from "../errors";
import type { FineTuneSpec } from "../llm";

/**
 * Checks the caller's hyperparameters against the provider's ranges in the catalog and fills
 * the defaults the catalog gives; anything else is left to the provider's own defaults.
 */
export function checkHyperparameters(provider: string, spec: FineTuneSpec, given: Record<string, number> = {}): Record<string, number> {
  const problems: string[] = [];
  const allowed = Object.keys(spec.hyperparameters);
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
