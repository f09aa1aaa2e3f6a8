import type { AddonView, BaseDeployment } from "../durable/base-deployment";
import type { CostShare } from "../durable/base-deployment/cost";
import { COST_RULE } from "../durable/base-deployment/cost";
import { remote } from "../durable/rpc-errors";
import type { Bindings } from "../env";
import { usdOf } from "../lib/money";
import { loadCatalog } from "../llm";
import { derivedId } from "../providers/http";
import { FireworksDeploymentsApi, type FwDeployment } from "./fireworks-api";
import { fireworksHardware, hourlyMicros } from "./fireworks-config";
import type { DeploymentProvider, DeploymentSpec, DeploymentStatus } from "./types";

export interface FireworksDeploymentOptions {
  /** Sent as `X-Request-Id` on the provider calls (the shared object's alarm reuses the first one's). */
  requestId: string;
  /** Adapters per shared base deployment (default: the profile's addon limit, Fireworks' documented 100). */
  addonLimit?: number;
}

/**
 * Fireworks: a LoRA student is served either as an addon on the installation's shared deployment
 * of its base model (`shared: true`, the default: one `BaseDeployment` object per account and base
 * model owns that deployment and its adapters), or alone on a dedicated deployment of the LoRA
 * itself (`shared: false`; Fireworks "live merge", named from the Distillery deployment id).
 * Inference: `<model>#<deployment name>` on Fireworks' OpenAI-compatible route, as its docs say
 * for querying a specific deployment.
 */
export class FireworksDeploymentProvider implements DeploymentProvider {
  readonly provider = "fireworks" as const;
  readonly #env: Bindings;
  readonly #opts: FireworksDeploymentOptions;
  readonly #api: FireworksDeploymentsApi;

  constructor(env: Bindings, opts: FireworksDeploymentOptions) {
    this.#env = env;
    this.#opts = opts;
    this.#api = new FireworksDeploymentsApi(env, { requestId: opts.requestId });
  }

  async create(spec: DeploymentSpec): Promise<DeploymentStatus> {
    if (spec.shared) return fromAddon(await this.#base(spec).attach(this.#attachInput(spec)));
    const id = await dedicatedId(spec);
    const hw = fireworksHardware(spec.base_model, spec.profile);
    const d = await this.#api.createDeployment(id, {
      baseModel: spec.model,
      displayName: `distillery ${spec.deployment_id}`.slice(0, 63),
      minReplicaCount: spec.min_replicas,
      maxReplicaCount: Math.max(spec.max_replicas, spec.min_replicas, 1),
      acceleratorType: hw.accelerator_type,
      acceleratorCount: hw.accelerator_count,
      enableAddons: false,
      idleMinutes: spec.idle_minutes,
    });
    return this.#fromDeployment(spec, d);
  }

  async find(spec: DeploymentSpec): Promise<DeploymentStatus | null> {
    if (spec.shared) {
      const addon = await this.#base(spec).find(spec.deployment_id);
      return addon ? fromAddon(addon) : null;
    }
    const d = await this.#api.getDeployment(await dedicatedId(spec));
    return d ? this.#fromDeployment(spec, d) : null;
  }

  async status(spec: DeploymentSpec, providerId: string): Promise<DeploymentStatus> {
    if (spec.shared) {
      const addon = await this.#base(spec).poll(spec.deployment_id);
      return addon ? fromAddon(addon) : stoppedStatus(providerId);
    }
    const d = await this.#api.getDeployment(await dedicatedId(spec));
    return d ? this.#fromDeployment(spec, d) : stoppedStatus(providerId);
  }

  async stop(spec: DeploymentSpec, providerId: string): Promise<DeploymentStatus> {
    if (spec.shared) {
      const addon = await this.#base(spec).detach(spec.deployment_id);
      return addon ? fromAddon(addon) : stoppedStatus(providerId);
    }
    const id = await dedicatedId(spec);
    await this.#api.deleteDeployment(id);
    const d = await this.#api.getDeployment(id);
    return d ? this.#fromDeployment(spec, d) : stoppedStatus(providerId);
  }

  /**
   * What this deployment costs per hour and has cost so far: its share of the shared base (the
   * rule in cost.ts and the README), or a dedicated deployment's whole price at its minimum replicas.
   */
  async costShare(spec: DeploymentSpec, sinceMs?: number, nowMs?: number): Promise<CostShare> {
    if (spec.shared) {
      const share = await this.#base(spec).costShare(spec.deployment_id);
      if (share) return share;
    }
    const hourly = hourlyMicros(fireworksHardware(spec.base_model, spec.profile), spec.min_replicas);
    const hours = sinceMs !== undefined && nowMs !== undefined ? Math.max(0, nowMs - sinceMs) / 3_600_000 : 0;
    return { rule: COST_RULE, base_hourly_usd: usdOf(hourly), holders: 1, hourly_usd: usdOf(hourly), accrued_usd: usdOf(Math.round(hourly * hours)) };
  }

  #base(spec: DeploymentSpec) {
    const ns = this.#env.BASE_DEPLOYMENT;
    return remote<BaseDeployment>(ns.get(ns.idFromName(`${this.#api.account}/${baseModelName(this.#env, spec)}`)));
  }

  #attachInput(spec: DeploymentSpec) {
    const hardware = fireworksHardware(spec.base_model, spec.profile);
    return {
      account: this.#api.account,
      request_id: this.#opts.requestId,
      deployment_id: spec.deployment_id,
      tenant_id: spec.tenant_id,
      model: spec.model,
      base_model: baseModelName(this.#env, spec),
      hardware,
      min_replicas: spec.min_replicas,
      max_replicas: spec.max_replicas,
      addon_limit: this.#opts.addonLimit ?? hardware.addon_limit,
    };
  }

  #fromDeployment(spec: DeploymentSpec, d: FwDeployment): DeploymentStatus {
    const word = d.state ?? "STATE_UNSPECIFIED";
    const state = DEPLOYMENT_STATE[word] ?? "provisioning";
    return {
      state,
      provider_status: word,
      provider_id: d.name,
      inference_model: state === "ready" ? `${spec.model}#${d.name}` : null,
      base_url: null,
      error: state === "failed" ? d.status?.message || "The Fireworks deployment failed." : null,
    };
  }
}

/**
 * Fireworks' deployment states → ours. UPDATING is a change to one already serving (ready);
 * DELETED is soft-deleted (stopped). Unknown states read as provisioning.
 */
const DEPLOYMENT_STATE: Record<string, DeploymentStatus["state"]> = {
  STATE_UNSPECIFIED: "provisioning",
  CREATING: "provisioning",
  READY: "ready",
  UPDATING: "ready",
  FAILED: "failed",
  DELETING: "stopping",
  DELETED: "stopped",
};

/** An adapter's state → ours (waiting for the base and loading are both provisioning). */
const ADDON_STATE: Record<AddonView["state"], DeploymentStatus["state"]> = {
  waiting: "provisioning",
  loading: "provisioning",
  ready: "ready",
  failed: "failed",
  unloading: "stopping",
  stopped: "stopped",
};

function fromAddon(a: AddonView): DeploymentStatus {
  return {
    state: ADDON_STATE[a.state],
    provider_status: `${a.state} (base ${a.base_state})`,
    provider_id: a.deployed_model ?? a.base_deployment,
    inference_model: a.inference_model,
    base_url: null,
    error: a.error,
  };
}

function stoppedStatus(providerId: string): DeploymentStatus {
  return { state: "stopped", provider_status: "NOT_FOUND", provider_id: providerId, inference_model: null, base_url: null, error: null };
}

/** A dedicated deployment's id, derived from the Distillery deployment id (so a repeat finds it). */
function dedicatedId(spec: DeploymentSpec): Promise<string> {
  return derivedId(spec.deployment_id, 63, "dep-");
}

/** The base model as Fireworks names it: the catalog entry's provider model for `spec.base_model`. */
function baseModelName(env: Bindings, spec: DeploymentSpec): string {
  return loadCatalog(env).models.find((m) => m.id === spec.base_model)?.model ?? spec.base_model;
}
