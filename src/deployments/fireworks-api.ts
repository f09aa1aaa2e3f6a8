import type OpenAI from "openai";
import { z } from "zod";
import { ApiError } from "../errors";
import { type ClientEnv, mapProviderError, resolveEndpoint } from "../llm";
import { controlClient, isStatus, parseUpstream } from "../providers/http";

const PROVIDER = "fireworks";

/**
 * Fireworks' deployment control plane, as its REST reference documents it (docs.fireworks.ai/
 * api-reference, Gateway REST API 4.x, read 2026-12):
 * - `POST /v1/accounts/{a}/deployments?deploymentId=` (caller-chosen id) with `baseModel`,
 *   `minReplicaCount`, `maxReplicaCount`, `acceleratorType`, `acceleratorCount`, `enableAddons`,
 *   `autoscalingPolicy.scaleToZeroWindow`; `GET …/deployments/{id}`; `DELETE …/deployments/{id}`
 *   (`ignoreChecks` forces deleting one in use; `hard`). States: CREATING, READY, UPDATING,
 *   DELETING, FAILED (see `status`), DELETED (soft-deleted).
 * - `POST /v1/accounts/{a}/deployedModels` ("Load LoRA") with `model`, `deployment`,
 *   `displayName`, `public`; `GET|DELETE …/deployedModels/{id}`; `GET …/deployedModels?filter=`
 *   (AIP-160). States: DEPLOYING, DEPLOYED, UPDATING, UNDEPLOYING.
 * Inferred, not documented: the create answers carry the resource (as Get does); a deployed
 * model's id is the server's (Load LoRA takes no id parameter), so it is found again by listing
 * with a filter on its model and deployment, which together identify it.
 */
export const deploymentSchema = z.looseObject({
  name: z.string(),
  state: z.string().nullish(),
  status: z.looseObject({ code: z.union([z.string(), z.number()]).nullish(), message: z.string().nullish() }).nullish(),
  baseModel: z.string().nullish(),
  replicaCount: z.number().nullish(),
});
export type FwDeployment = z.infer<typeof deploymentSchema>;

export const deployedModelSchema = z.looseObject({
  name: z.string(),
  model: z.string().nullish(),
  deployment: z.string().nullish(),
  state: z.string().nullish(),
  status: z.looseObject({ code: z.union([z.string(), z.number()]).nullish(), message: z.string().nullish() }).nullish(),
});
export type FwDeployedModel = z.infer<typeof deployedModelSchema>;

const deployedModelListSchema = z.looseObject({ deployedModels: z.array(deployedModelSchema).nullish(), nextPageToken: z.string().nullish() });

export interface CreateDeploymentBody {
  baseModel: string;
  displayName: string;
  minReplicaCount: number;
  maxReplicaCount: number;
  acceleratorType: string;
  acceleratorCount: number;
  enableAddons: boolean;
  /** Minutes idle before scaling to zero (Fireworks: at least 5). */
  idleMinutes?: number;
}

/** The calls; each maps errors once (mapProviderError), 404s answered as null where a lookup expects them. */
export class FireworksDeploymentsApi {
  readonly account: string;
  private readonly client: OpenAI;

  constructor(env: ClientEnv, opts: { requestId: string; account?: string; wrapFetch?: Parameters<typeof controlClient>[2]["wrapFetch"] }) {
    const endpoint = resolveEndpoint(env, PROVIDER, "control");
    const account = opts.account ?? endpoint.accountId;
    if (!account) {
      throw new ApiError("bad_request", 'Provider "fireworks" is not configured: set FIREWORKS_ACCOUNT_ID.', {
        details: { provider: PROVIDER, missing: ["FIREWORKS_ACCOUNT_ID"] },
      });
    }
    this.account = account;
    this.client = controlClient(env, PROVIDER, { requestId: opts.requestId, ...(opts.wrapFetch ? { wrapFetch: opts.wrapFetch } : {}) });
  }

  deploymentName(id: string): string {
    return `accounts/${this.account}/deployments/${id}`;
  }

  private path(rest: string): string {
    return `/v1/accounts/${encodeURIComponent(this.account)}/${rest}`;
  }

  /** Creates the deployment under `id`, or (409: made before, e.g. by a call that crashed after) reads it. */
  async createDeployment(id: string, body: CreateDeploymentBody): Promise<FwDeployment> {
    const { idleMinutes, ...rest } = body;
    const payload = { ...rest, ...(idleMinutes ? { autoscalingPolicy: { scaleToZeroWindow: `${Math.max(5, idleMinutes) * 60}s` } } : {}) };
    try {
      const created = await this.client.post(this.path("deployments"), { body: payload, query: { deploymentId: id } });
      return parseUpstream(deploymentSchema, created, PROVIDER, "deployment");
    } catch (err) {
      if (!isStatus(err, 409)) throw mapProviderError(err, PROVIDER);
    }
    const found = await this.getDeployment(id);
    if (!found) throw new ApiError("upstream_error", `fireworks said deployment ${id} exists but does not show it.`, { details: { provider: PROVIDER }, retryable: true });
    return found;
  }

  /** The deployment, or null when Fireworks has none under that id. */
  async getDeployment(id: string): Promise<FwDeployment | null> {
    try {
      return parseUpstream(deploymentSchema, await this.client.get(this.path(`deployments/${encodeURIComponent(id)}`)), PROVIDER, "deployment");
    } catch (err) {
      if (isStatus(err, 404)) return null;
      throw mapProviderError(err, PROVIDER);
    }
  }

  /** Deletes it; one already gone is not an error. */
  async deleteDeployment(id: string): Promise<void> {
    try {
      await this.client.delete(this.path(`deployments/${encodeURIComponent(id)}`));
    } catch (err) {
      if (isStatus(err, 404)) return;
      throw mapProviderError(err, PROVIDER);
    }
  }

  /** Loads a LoRA onto a deployment ("Load LoRA"). A 409 means it is there already: it is found instead. */
  async loadAddon(model: string, deployment: string, displayName: string): Promise<FwDeployedModel> {
    try {
      const created = await this.client.post(this.path("deployedModels"), { body: { model, deployment, displayName, public: false } });
      return parseUpstream(deployedModelSchema, created, PROVIDER, "deployed model");
    } catch (err) {
      if (!isStatus(err, 409)) throw mapAddonError(err);
    }
    const found = await this.findAddon(model, deployment);
    if (!found) throw new ApiError("upstream_error", `fireworks said ${model} is on ${deployment} but does not list it.`, { details: { provider: PROVIDER }, retryable: true });
    return found;
  }

  /** The deployed model of `model` on `deployment`, or null: how a load whose answer was lost is found. */
  async findAddon(model: string, deployment: string): Promise<FwDeployedModel | null> {
    let pageToken: string | undefined;
    for (let page = 0; page < 20; page++) {
      const query = { filter: `model="${model}" AND deployment="${deployment}"`, pageSize: 200, ...(pageToken ? { pageToken } : {}) };
      let answer: unknown;
      try {
        answer = await this.client.get(this.path("deployedModels"), { query });
      } catch (err) {
        throw mapProviderError(err, PROVIDER);
      }
      const list = parseUpstream(deployedModelListSchema, answer, PROVIDER, "deployed model list");
      // Matched here too: a filter the server ignored must not hand back another tenant's addon.
      const hit = (list.deployedModels ?? []).find((m) => m.model === model && m.deployment === deployment);
      if (hit) return hit;
      if (!list.nextPageToken) return null;
      pageToken = list.nextPageToken;
    }
    return null;
  }

  /** The deployed model by its resource name (`accounts/{a}/deployedModels/{id}`), or null once gone. */
  async getAddon(name: string): Promise<FwDeployedModel | null> {
    try {
      return parseUpstream(deployedModelSchema, await this.client.get(`/v1/${name}`), PROVIDER, "deployed model");
    } catch (err) {
      if (isStatus(err, 404)) return null;
      throw mapProviderError(err, PROVIDER);
    }
  }

  /** Unloads it ("Unload LoRA"); one already gone is not an error. */
  async unloadAddon(name: string): Promise<void> {
    try {
      await this.client.delete(`/v1/${name}`);
    } catch (err) {
      if (isStatus(err, 404)) return;
      throw mapProviderError(err, PROVIDER);
    }
  }
}

/** A refused load is final, and the addon limit is a conflict the caller can act on (stop another, or deploy dedicated). */
function mapAddonError(err: unknown): ApiError {
  const mapped = mapProviderError(err, PROVIDER);
  if (isStatus(err, 400) && /maximum|limit/i.test(err.message)) {
    return new ApiError("conflict", `fireworks refused another LoRA addon on the shared deployment: ${err.message}`, {
      details: { provider: PROVIDER, upstream_status: 400, reason: "addon_limit" },
      retryable: false,
      cause: err,
    });
  }
  return mapped;
}
