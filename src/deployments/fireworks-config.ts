import { ApiError } from "../errors";

/**
 * What a Fireworks deployment needs from configuration: hardware profiles with their hourly
 * prices, replica bounds and the multi-LoRA addon limit. Kept here until the catalog's deployment
 * section (issue 21's other half) carries it; the figures and their sources are the point.
 *
 * - Hardware and prices: fireworks.ai/pricing, on-demand deployments billed per GPU-second
 *   (A100 80 GB $2.90/h, H100 80 GB $4.00/h, H200 141 GB $6.00/h as read late 2025; an older page
 *   said $3.89/h for an A100). Cost scales linearly with accelerators and replicas.
 * - Addon limit: "up to 100 deployed models" (pricing page, Developer plan) and 100 LoRAs per
 *   multi-LoRA deployment (docs.fireworks.ai/fine-tuning/deploying-loras, read 2026-12).
 * - acceleratorType values: gatewayAcceleratorType in the REST reference.
 */
export interface FireworksHardware {
  id: string;
  accelerator_type: "NVIDIA_A100_80GB" | "NVIDIA_H100_80GB" | "NVIDIA_H200_141GB";
  accelerator_count: number;
  /** Per replica, in dollars. */
  hourly_usd: number;
}

export const FIREWORKS_HARDWARE: readonly FireworksHardware[] = [
  { id: "fireworks-a100-80gb", accelerator_type: "NVIDIA_A100_80GB", accelerator_count: 1, hourly_usd: 2.9 },
  { id: "fireworks-h100-80gb", accelerator_type: "NVIDIA_H100_80GB", accelerator_count: 1, hourly_usd: 4.0 },
  { id: "fireworks-h200-141gb", accelerator_type: "NVIDIA_H200_141GB", accelerator_count: 1, hourly_usd: 6.0 },
];

export const FIREWORKS_DEPLOYMENT_DEFAULTS = {
  profile: "fireworks-a100-80gb",
  /** LoRA addons one shared base deployment holds (Fireworks' documented multi-LoRA limit). */
  addon_limit: 100,
  /** Replica bounds Distillery accepts (Fireworks' own maximum depends on the account's GPU quota: 8 by default). */
  max_replicas: 8,
} as const;

/** The hardware for a profile id; an unknown one is the caller's mistake (400 naming the known ones). */
export function fireworksHardware(profile: string | undefined): FireworksHardware {
  const id = profile || FIREWORKS_DEPLOYMENT_DEFAULTS.profile;
  const hw = FIREWORKS_HARDWARE.find((h) => h.id === id);
  if (!hw) {
    throw new ApiError("validation_failed", `Unknown Fireworks deployment profile "${id}".`, {
      details: [{ path: "profile", message: `one of ${FIREWORKS_HARDWARE.map((h) => h.id).join(", ")}` }],
      retryable: false,
    });
  }
  return hw;
}

/** Hourly cost of a deployment on this hardware at `replicas` (at least one while it is up), in micro-dollars. */
export function hourlyMicros(hw: FireworksHardware, replicas: number): number {
  return Math.round(hw.hourly_usd * hw.accelerator_count * Math.max(1, replicas) * 1_000_000);
}
