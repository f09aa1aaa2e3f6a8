/**
 * What deploying an open-weights student takes, provider by provider. One `ModelDeployment`
 * object per deployment drives a `DeploymentProvider` with its alarm; every create names the
 * thing it makes (a caller-chosen name derived from the deployment id), so after a crash the
 * object finds what it made instead of making it twice.
 *
 * (Seam shared by the deployment object, the Together and Fireworks implementations and serving.)
 */

export type DeploymentState = "requested" | "provisioning" | "ready" | "failed" | "stopping" | "stopped";

/** What the caller asked for, resolved against the catalog (profile mapped per provider). */
export interface DeploymentSpec {
  /** Distillery's deployment id; the provider-side name is derived from it. */
  deployment_id: string;
  tenant_id: string;
  /** The registered fine-tune to deploy (the provider's fine-tuned model name). */
  model: string;
  /** Catalog id of its base model. */
  base_model: string;
  /** The catalog's profile id (hardware / deployment profile). */
  profile: string;
  min_replicas: number;
  max_replicas: number;
  /** Stop after this many idle minutes (where the provider supports it). */
  idle_minutes: number;
  /** Fireworks: load as an addon on the installation's shared base deployment (default for LoRA). */
  shared: boolean;
}

/** The provider's view of a deployment, in one vocabulary. */
export interface DeploymentStatus {
  state: Exclude<DeploymentState, "requested">;
  /** The provider's own status word, kept for display and debugging. */
  provider_status: string;
  /** The provider's id for what was created (endpoint id, deployment name, deployed-model name). */
  provider_id: string | null;
  /** What to send as `model` to the inference route once ready. */
  inference_model: string | null;
  /** The inference base URL when it differs from the provider's usual one; else null. */
  base_url: string | null;
  /** Why it failed, in the provider's words. */
  error: string | null;
}

export interface DeploymentProvider {
  readonly provider: "together" | "fireworks";
  /** Creates the deployment, or returns the one already created under the same name. */
  create(spec: DeploymentSpec): Promise<DeploymentStatus>;
  /** The deployment made for `spec`, found by its caller-chosen name; null when none exists. */
  find(spec: DeploymentSpec): Promise<DeploymentStatus | null>;
  /** Current status (provisioning → ready | failed; stopping → stopped). */
  status(spec: DeploymentSpec, providerId: string): Promise<DeploymentStatus>;
  /** Begins stopping; stopping something already stopped or gone is not an error. */
  stop(spec: DeploymentSpec, providerId: string): Promise<DeploymentStatus>;
  /**
   * Where a deployment shares hardware (Fireworks' shared base): its part of the hourly price now
   * and what it has been attributed so far, by the provider's stated rule. Absent: it pays its whole price.
   */
  costShare?(spec: DeploymentSpec): Promise<DeploymentCostShare>;
}

/** A deployment's share of what it runs on (see `DeploymentProvider.costShare`). */
export interface DeploymentCostShare {
  rule: string;
  /** The whole shared deployment's hourly price. */
  base_hourly_usd: number;
  /** Deployments sharing it now. */
  holders: number;
  hourly_usd: number;
  accrued_usd: number;
}
