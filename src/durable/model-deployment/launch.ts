import { deploymentProviderFor, needsDeployment } from "../../deployments";
import type { Bindings } from "../../env";
import { ApiError } from "../../errors";
import { nowIso } from "../../lib/clock";
import { newId } from "../../lib/ids";
import { toMicros } from "../../lib/money";
import { deploymentProfiles, findDeploymentProfile, type DeploymentProfile } from "../../llm/catalog-deployments";
import type { TenantHandle } from "../tenant";
import { openDeployment } from "./object";
import type { DeploymentInit } from "./record";
import type { DeploymentView } from "./view";

/** What a caller asks for: the model, and optionally how (the profile's defaults otherwise). */
export interface DeployRequest {
  model: string;
  profile?: string | undefined;
  min_replicas?: number | undefined;
  max_replicas?: number | undefined;
  idle_minutes?: number | undefined;
  shared?: boolean | undefined;
  /** The fine-tune job that asked for it (`deploy: true`). */
  job_id?: string | null;
  /** That job also asked `evaluate: true`: the deployment queues its eval once it serves. */
  evaluate?: boolean;
  request_id: string;
}

const invalid = (path: string, message: string, details: Record<string, unknown> = {}) =>
  new ApiError("validation_failed", message, { details: [{ path, message, ...details }], retryable: false });

/**
 * Checks a deploy request against the registry, the catalog's profiles and the provider's
 * configuration, then claims the deployment in the tenant's index and starts its object. Nothing
 * is created when a check fails; a model with a live deployment answers with that one.
 */
export async function launchDeployment(env: Bindings, tenant: TenantHandle, req: DeployRequest): Promise<{ created: boolean; deployment: DeploymentView }> {
  const { model } = await tenant.deployments.model(req.model);
  const provider = model.fine_tune_provider;
  if (!needsDeployment(provider)) {
    throw new ApiError("conflict", `${model.id} needs no deployment: ${provider} fine-tunes are callable as soon as their job succeeds.`, {
      details: { provider },
      retryable: false,
    });
  }
  const profile = resolveProfile(provider, model.base_model, req.profile);
  const min = req.min_replicas ?? Math.max(1, profile.replicas.min);
  const max = req.max_replicas ?? Math.max(min, req.min_replicas ?? min);
  if (min < profile.replicas.min || min > profile.replicas.max) {
    throw invalid("min_replicas", `min_replicas must lie within ${profile.replicas.min}–${profile.replicas.max} for profile ${profile.id}.`);
  }
  if (max < min || max > profile.replicas.max) throw invalid("max_replicas", `max_replicas must lie within ${min}–${profile.replicas.max} for profile ${profile.id}.`);
  const idle = req.idle_minutes ?? profile.idle_minutes?.default ?? 0;
  if (idle !== 0 && (!profile.idle_minutes || idle < profile.idle_minutes.min || idle > profile.idle_minutes.max)) {
    const range = profile.idle_minutes ? `0 (never) or ${profile.idle_minutes.min}–${profile.idle_minutes.max}` : "0 (the provider has no auto-stop)";
    throw invalid("idle_minutes", `idle_minutes must be ${range} for profile ${profile.id}.`);
  }
  // Credentials before anything is written: a missing variable is the 400 naming it.
  deploymentProviderFor(env, provider, { requestId: req.request_id });

  const id = newId("dep");
  const created_at = nowIso();
  const init: DeploymentInit = {
    spec: {
      deployment_id: id,
      tenant_id: tenant.id,
      model: model.id,
      base_model: model.base_model,
      profile: profile.id,
      min_replicas: min,
      max_replicas: max,
      idle_minutes: idle,
      shared: req.shared ?? provider === "fireworks",
    },
    provider,
    request_id: req.request_id,
    hourly_usd: profile.hourly_usd,
    job_id: req.job_id ?? null,
    ...(req.evaluate ? { evaluate: true } : {}),
    created_at,
  };
  const claim = await tenant.deployments.claim({
    id,
    model: model.id,
    provider,
    profile: profile.id,
    state: "requested",
    inference_model: null,
    hourly_micros: toMicros(profile.hourly_usd),
    min_replicas: min,
    max_replicas: max,
    shared: init.spec.shared,
    job_id: init.job_id,
    created_at,
    updated_at: created_at,
  });
  const stub = openDeployment(env, tenant.id, claim.deployment.id);
  if (!claim.created) {
    const existing = await stub.get();
    if (existing) return { created: false, deployment: existing };
  }
  // A claim whose object never started (the request died in between) starts under the claimed id.
  const start = claim.created ? init : { ...init, spec: { ...init.spec, deployment_id: claim.deployment.id } };
  return { created: claim.created, deployment: await stub.start(start) };
}

function resolveProfile(provider: string, baseModel: string, id: string | undefined): DeploymentProfile {
  const profile = findDeploymentProfile(provider, baseModel, id);
  if (profile) return profile;
  const known = deploymentProfiles()
    .filter((p) => p.provider === provider && p.base_models.includes(baseModel))
    .map((p) => p.id);
  if (id === undefined) throw invalid("profile", `No deployment profile in the catalog serves ${baseModel} on ${provider}.`);
  throw invalid("profile", `Profile "${id}" is not in the catalog for ${baseModel} on ${provider}${known.length ? ` (known: ${known.join(", ")})` : ""}.`);
}
