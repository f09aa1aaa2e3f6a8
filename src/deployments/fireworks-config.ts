import { ApiError } from "../errors";
import { findDeploymentProfile } from "../llm/catalog-deployments";

/**
 * What a Fireworks deployment takes from the catalog's deployment profiles
 * (src/llm/catalog-deployments.ts): the accelerator (`acceleratorType`, one of Fireworks'
 * gatewayAcceleratorType values, and `acceleratorCount`), the hourly price per replica and the
 * multi-LoRA addon limit of a shared base deployment.
 */
export interface FireworksHardware {
  profile: string;
  accelerator_type: string;
  accelerator_count: number;
  /** Per replica, in dollars. */
  hourly_usd: number;
  addon_limit: number;
}

/** Fireworks' documented multi-LoRA limit, when a profile names none. */
export const DEFAULT_ADDON_LIMIT = 100;

/** The profile's hardware for a Fireworks base; an unknown profile is the caller's mistake (400). */
export function fireworksHardware(baseModel: string, profile: string | undefined): FireworksHardware {
  const p = findDeploymentProfile("fireworks", baseModel, profile || undefined);
  if (!p) {
    throw new ApiError("validation_failed", `No Fireworks deployment profile ${profile ? `"${profile}" ` : ""}serves ${baseModel}.`, {
      details: [{ path: "profile", message: "not in the catalog's deployment profiles for this base model" }],
      retryable: false,
    });
  }
  return {
    profile: p.id,
    accelerator_type: p.hardware.gpu_type,
    accelerator_count: p.hardware.gpu_count,
    hourly_usd: p.hourly_usd,
    addon_limit: p.addon_limit ?? DEFAULT_ADDON_LIMIT,
  };
}

/** Hourly cost of a deployment on this hardware at `replicas` (at least one while it is up), in micro-dollars. */
export function hourlyMicros(hw: FireworksHardware, replicas: number): number {
  return Math.round(hw.hourly_usd * Math.max(1, replicas) * 1_000_000);
}
