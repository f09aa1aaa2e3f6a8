import OpenAI from "openai";
import { z } from "zod";
import { ApiError } from "../errors";
import { callProvider, resolveEndpoint, type ClientEnv } from "../llm";
import { findDeploymentProfile } from "../llm/catalog-deployments";
import { derivedId, isStatus, parseUpstream, readableErrors } from "../providers/http";
import type { DeploymentProvider, DeploymentSpec, DeploymentStatus } from "./types";

const PROVIDER = "together";
/** The deployment's name inside its endpoint: one deployment per endpoint, so a fixed name. */
const DEPLOYMENT_NAME = "student";
/** Endpoint names: `[a-z0-9-]` (inferred from the examples in Together's docs; no length is documented, 48 is kept). */
const ENDPOINT_NAME_MAX = 48;

/**
 * Together's deployment states (together-typescript `beta/endpoints` DeploymentStatus.state) → ours.
 * SCALING and DEGRADED still serve; SCALING before the first ready replica is still provisioning.
 */
function stateOf(state: string, readyReplicas: number): DeploymentStatus["state"] {
  switch (state) {
    case "DEPLOYMENT_STATE_READY":
    case "DEPLOYMENT_STATE_DEGRADED":
      return "ready";
    case "DEPLOYMENT_STATE_SCALING":
      return readyReplicas > 0 ? "ready" : "provisioning";
    case "DEPLOYMENT_STATE_FAILED":
      return "failed";
    case "DEPLOYMENT_STATE_STOPPING":
      return "stopping";
    case "DEPLOYMENT_STATE_STOPPED":
      return "stopped";
    default:
      return "provisioning";
  }
}

const endpointSchema = z.looseObject({ id: z.string(), name: z.string() });
const deploymentSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  endpointId: z.string().nullish(),
  status: z.looseObject({ state: z.string(), message: z.string().nullish(), readyReplicas: z.number().nullish() }),
});
type TogetherDeployment = z.infer<typeof deploymentSchema>;
const pageSchema = z.looseObject({ data: z.array(z.unknown()).nullish(), next_cursor: z.string().nullish() });
const supportedSchema = z.looseObject({
  deploymentProfiles: z
    .array(z.looseObject({ config: z.string().nullish(), certifiedConfigRevisionId: z.string().nullish(), gpuType: z.string(), gpuCount: z.number() }))
    .nullish(),
});

/**
 * A dedicated deployment on Together's 2.0 endpoints API (projects → endpoints → deployments,
 * `https://api.together.ai/v2`), read from together-typescript `src/resources/beta/endpoints/`
 * and `beta/models/` (2026-12); the v1 `/v1/endpoints` form is supported only to the end of 2026.
 *
 * One endpoint per Distillery deployment, named from its id (so a restart finds it: a second
 * create of the name is a 409 and the endpoint is looked up by name), holding one deployment named
 * `student`. Inferred where the docs are silent, and kept in one place each:
 * - the v2 root is the configured Together root with `/v1` replaced by `/v2`;
 * - a fine-tune is addressed as the project's model resource `projects/{project}/models/{output name}`;
 * - the deployment's qualified name (`<project>/<endpoint>/student`) is sent as `model` for inference
 *   on the usual OpenAI-compatible route (the docs: "pass it as model … to target this deployment
 *   directly"), so no traffic split needs setting;
 * - stopping sets both replica bounds to 0 (the docs: "set both … to 0 to stop the deployment").
 */
export class TogetherDeploymentProvider implements DeploymentProvider {
  readonly provider = PROVIDER;
  private readonly client: OpenAI;
  private readonly project: string;

  constructor(env: ClientEnv & { TOGETHER_PROJECT_ID?: string | undefined }, opts: { requestId: string }) {
    const endpoint = resolveEndpoint(env, PROVIDER, "control");
    const project = env.TOGETHER_PROJECT_ID?.trim() || (endpoint.source === "local" ? "local" : undefined);
    if (!project) {
      throw new ApiError("bad_request", `Provider "together" is not configured for deployments: set TOGETHER_PROJECT_ID.`, {
        details: { provider: PROVIDER, missing: ["TOGETHER_PROJECT_ID"] },
      });
    }
    this.project = project;
    this.client = new OpenAI({
      baseURL: endpoint.baseURL.replace(/\/v1\/?$/, "/v2"),
      apiKey: endpoint.apiKey,
      fetch: readableErrors(endpoint.fetch),
      maxRetries: 0,
      timeout: 30_000,
      defaultHeaders: { "X-Request-Id": opts.requestId },
    });
  }

  private get base(): string {
    return `/projects/${encodeURIComponent(this.project)}`;
  }

  async create(spec: DeploymentSpec): Promise<DeploymentStatus> {
    const endpoint = await this.ensureEndpoint(spec);
    const existing = await this.deploymentIn(endpoint.id);
    if (existing) return this.toStatus(existing, endpoint.id);
    const config = await this.configFor(spec);
    const body = {
      name: DEPLOYMENT_NAME,
      model: `projects/${this.project}/models/${spec.model}`,
      config,
      autoscaling: { minReplicas: spec.min_replicas, maxReplicas: spec.max_replicas },
      inactiveTimeout: spec.idle_minutes,
    };
    try {
      const created = await callProvider(PROVIDER, () => this.client.post(`${this.base}/endpoints/${encodeURIComponent(endpoint.id)}/deployments`, { body }));
      return this.toStatus(parseUpstream(deploymentSchema, created, PROVIDER, "deployment"), endpoint.id);
    } catch (err) {
      // Created by an earlier attempt whose answer was lost: take that one.
      if (!isConflict(err)) throw err;
      const found = await this.deploymentIn(endpoint.id);
      if (!found) throw err;
      return this.toStatus(found, endpoint.id);
    }
  }

  async find(spec: DeploymentSpec): Promise<DeploymentStatus | null> {
    const endpoint = await this.endpointNamed(await endpointName(spec));
    if (!endpoint) return null;
    const deployment = await this.deploymentIn(endpoint.id);
    return deployment ? this.toStatus(deployment, endpoint.id) : null;
  }

  async status(_spec: DeploymentSpec, providerId: string): Promise<DeploymentStatus> {
    const { endpointId, deploymentId } = splitId(providerId);
    const raw = await callProvider(PROVIDER, () => this.client.get(this.deploymentPath(endpointId, deploymentId)));
    return this.toStatus(parseUpstream(deploymentSchema, raw, PROVIDER, "deployment"), endpointId);
  }

  async stop(_spec: DeploymentSpec, providerId: string): Promise<DeploymentStatus> {
    const { endpointId, deploymentId } = splitId(providerId);
    try {
      const raw = await callProvider(PROVIDER, () =>
        this.client.patch(this.deploymentPath(endpointId, deploymentId), {
          query: { updateMask: "autoscaling.minReplicas,autoscaling.maxReplicas" },
          body: { autoscaling: { minReplicas: 0, maxReplicas: 0 } },
        }),
      );
      return this.toStatus(parseUpstream(deploymentSchema, raw, PROVIDER, "deployment"), endpointId);
    } catch (err) {
      // Deleted at the provider already: nothing is running, so it is stopped.
      if (!isNotFound(err)) throw err;
      return { state: "stopped", provider_status: "NOT_FOUND", provider_id: providerId, inference_model: null, base_url: null, error: null };
    }
  }

  private deploymentPath(endpointId: string, deploymentId: string): string {
    return `${this.base}/endpoints/${encodeURIComponent(endpointId)}/deployments/${encodeURIComponent(deploymentId)}`;
  }

  /** The endpoint named for this deployment: created, or found when an earlier attempt created it. */
  private async ensureEndpoint(spec: DeploymentSpec): Promise<z.infer<typeof endpointSchema>> {
    const name = await endpointName(spec);
    try {
      const created = await callProvider(PROVIDER, () => this.client.post(`${this.base}/endpoints`, { body: { name, visibility: "VISIBILITY_PRIVATE" } }));
      return parseUpstream(endpointSchema, created, PROVIDER, "endpoint");
    } catch (err) {
      if (!isConflict(err)) throw err;
      const found = await this.endpointNamed(name);
      if (!found) throw err;
      return found;
    }
  }

  /** `GET …/endpoints?filter=name="…"`; names come back project-qualified (`<project>/<name>`). */
  private async endpointNamed(name: string): Promise<z.infer<typeof endpointSchema> | null> {
    const raw = await callProvider(PROVIDER, () => this.client.get(`${this.base}/endpoints`, { query: { filter: `name="${name}"`, limit: 10 } }));
    const page = parseUpstream(pageSchema, raw, PROVIDER, "endpoint list");
    for (const item of page.data ?? []) {
      const parsed = endpointSchema.safeParse(item);
      if (parsed.success && (parsed.data.name === name || parsed.data.name.endsWith(`/${name}`))) return parsed.data;
    }
    return null;
  }

  private async deploymentIn(endpointId: string): Promise<TogetherDeployment | null> {
    const raw = await callProvider(PROVIDER, () => this.client.get(`${this.base}/endpoints/${encodeURIComponent(endpointId)}/deployments`, { query: { limit: 50 } }));
    const page = parseUpstream(pageSchema, raw, PROVIDER, "deployment list");
    for (const item of page.data ?? []) {
      const parsed = deploymentSchema.safeParse(item);
      if (parsed.success && (parsed.data.name === DEPLOYMENT_NAME || parsed.data.name.endsWith(`/${DEPLOYMENT_NAME}`))) return parsed.data;
    }
    return null;
  }

  /** The certified deployment profile (config revision) of the base model on the profile's hardware. */
  private async configFor(spec: DeploymentSpec): Promise<string> {
    const profile = findDeploymentProfile(PROVIDER, spec.base_model, spec.profile);
    if (!profile) throw new ApiError("validation_failed", `Profile "${spec.profile}" cannot serve ${spec.base_model} on Together.`, { retryable: false });
    const raw = await callProvider(PROVIDER, () => this.client.get(`/supported-models/${encodeURIComponent(spec.base_model)}`));
    const supported = parseUpstream(supportedSchema, raw, PROVIDER, "supported model");
    const match = (supported.deploymentProfiles ?? []).find((p) => p.gpuType === profile.hardware.gpu_type && p.gpuCount === profile.hardware.gpu_count);
    const config = match?.config || (match?.certifiedConfigRevisionId ? `projects/${this.project}/configs/${match.certifiedConfigRevisionId}` : null);
    if (!config) {
      throw new ApiError("upstream_error", `Together has no certified deployment profile for ${spec.base_model} on ${profile.hardware.gpu_count}x ${profile.hardware.gpu_type}.`, {
        details: { provider: PROVIDER },
        retryable: false,
      });
    }
    return config;
  }

  private toStatus(d: TogetherDeployment, endpointId: string): DeploymentStatus {
    const state = stateOf(d.status.state, d.status.readyReplicas ?? 0);
    return {
      state,
      provider_status: d.status.state.replace(/^DEPLOYMENT_STATE_/, ""),
      provider_id: `${d.endpointId ?? endpointId}/${d.id}`,
      inference_model: d.name,
      base_url: null,
      error: state === "failed" ? d.status.message || "The Together deployment failed." : null,
    };
  }
}

/** `distillery-<slug of the deployment id>-<hash>`: the caller-chosen name a restart looks for. */
function endpointName(spec: DeploymentSpec): Promise<string> {
  return derivedId(spec.deployment_id, ENDPOINT_NAME_MAX, "distillery-");
}

function splitId(providerId: string): { endpointId: string; deploymentId: string } {
  const [endpointId, deploymentId] = providerId.split("/");
  if (!endpointId || !deploymentId) throw new ApiError("internal", `Malformed Together deployment id "${providerId}".`, { retryable: false });
  return { endpointId, deploymentId };
}

const isConflict = (err: unknown) => err instanceof ApiError && (isStatus(err.cause, 409) || err.code === "conflict");
const isNotFound = (err: unknown) => err instanceof ApiError && isStatus(err.cause, 404);
