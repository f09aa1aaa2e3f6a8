import { z } from "zod";

/*
 * Deployment profiles: the hardware an open-weights student can be deployed on, per provider, with
 * its hourly price, replica bounds and (Fireworks) addon limit. Like the model catalog, the only
 * place these names and prices are written down.
 *
 * - Together: dedicated endpoints are billed per replica-minute of the hardware chosen
 *   (https://www.together.ai/pricing, "Dedicated endpoints", per-GPU hourly list prices, read
 *   2026-12; re-check before relying on an edge). Its 2.0 API deploys a model with a certified
 *   deployment profile (a config revision of the base model, `GET /v2/supported-models/{id}`
 *   `deploymentProfiles[]`, each naming `gpuType` and `gpuCount`): `hardware` here is what picks one.
 *   Auto-stop (`inactiveTimeout`) takes 30–1440 minutes, 0 disabling it (together-typescript
 *   `beta/endpoints/deployments.ts`, DeploymentCreateParams.inactiveTimeout).
 * - Fireworks: on-demand deployments are billed per GPU-hour (https://fireworks.ai/pricing,
 *   "On-demand deployments", read 2026-12); a base deployment with addons enabled serves up to 100
 *   LoRA addons (docs.fireworks.ai, "Deploying LoRA addons").
 */

const replicaRange = z.strictObject({ min: z.int().min(0), max: z.int().positive() });

export const deploymentProfileSchema = z
  .strictObject({
    /** The id callers pass as `profile`. */
    id: z.string().min(1),
    provider: z.enum(["together", "fireworks"]),
    /** Catalog ids of the bases this profile can serve (fine-tunes of them). */
    base_models: z.array(z.string().min(1)).min(1),
    /** What the provider calls the hardware: GPU type and count per replica. */
    hardware: z.strictObject({ gpu_type: z.string().min(1), gpu_count: z.int().positive() }),
    /** USD per replica-hour (GPU-hour price × GPUs per replica). */
    hourly_usd: z.number().positive(),
    /** Bounds the caller's `min_replicas` and `max_replicas` must lie within. */
    replicas: replicaRange,
    /** Inactivity auto-stop bounds in minutes (0 always disables); null when the provider has none. */
    idle_minutes: z.strictObject({ min: z.int().positive(), max: z.int().positive(), default: z.int().min(0) }).nullable(),
    /** Fireworks: LoRA addons one shared base deployment serves at most. */
    addon_limit: z.int().positive().optional(),
    /** Where the price and limits were read. */
    source: z.string().min(1),
  })
  .refine((p) => p.replicas.min <= p.replicas.max, { message: "replicas.min must not exceed replicas.max" });
export type DeploymentProfile = z.infer<typeof deploymentProfileSchema>;

const TOGETHER_PRICING = "https://www.together.ai/pricing (Dedicated endpoints; read 2026-12)";
const FIREWORKS_PRICING = "https://fireworks.ai/pricing (On-demand deployments; read 2026-12)";
const TOGETHER_BASES = ["meta-llama/Meta-Llama-3.1-8B-Instruct-Reference"];
const FIREWORKS_BASES = ["accounts/fireworks/models/llama-v3p1-8b-instruct"];
/** together-typescript DeploymentCreateParams.inactiveTimeout: 30 through 1440, 0 disables; Together's default is 60. */
const TOGETHER_IDLE = { min: 30, max: 1440, default: 60 };

/** The built-in profiles; the first per provider is its default. */
export const BUILTIN_DEPLOYMENT_PROFILES: DeploymentProfile[] = [
  {
    id: "together-1x-h100",
    provider: "together",
    base_models: TOGETHER_BASES,
    hardware: { gpu_type: "nvidia_h100_80gb_sxm", gpu_count: 1 },
    hourly_usd: 3.36,
    replicas: { min: 1, max: 8 },
    idle_minutes: TOGETHER_IDLE,
    source: TOGETHER_PRICING,
  },
  {
    id: "together-1x-l40s",
    provider: "together",
    base_models: TOGETHER_BASES,
    hardware: { gpu_type: "nvidia_l40s_48gb", gpu_count: 1 },
    hourly_usd: 2.1,
    replicas: { min: 1, max: 8 },
    idle_minutes: TOGETHER_IDLE,
    source: TOGETHER_PRICING,
  },
  {
    id: "fireworks-1x-h100",
    provider: "fireworks",
    base_models: FIREWORKS_BASES,
    hardware: { gpu_type: "NVIDIA_H100_80GB", gpu_count: 1 },
    hourly_usd: 2.9,
    replicas: { min: 0, max: 8 },
    idle_minutes: null,
    addon_limit: 100,
    source: FIREWORKS_PRICING,
  },
];

/** The profiles, checked once (a bad entry is a build mistake: it throws at first use). */
export function deploymentProfiles(): readonly DeploymentProfile[] {
  return (checked ??= z.array(deploymentProfileSchema).parse(BUILTIN_DEPLOYMENT_PROFILES));
}
let checked: DeploymentProfile[] | undefined;

/** A profile by id, or the provider's default for `baseModel` when `id` is omitted; undefined when none fits. */
export function findDeploymentProfile(provider: string, baseModel: string, id?: string): DeploymentProfile | undefined {
  const fits = deploymentProfiles().filter((p) => p.provider === provider && p.base_models.includes(baseModel));
  return id === undefined ? fits[0] : fits.find((p) => p.id === id);
}
