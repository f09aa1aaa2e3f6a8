import { DurableObject } from "cloudflare:workers";
import { FireworksDeploymentsApi } from "../../deployments/fireworks-api";
import type { FireworksHardware } from "../../deployments/fireworks-config";
import { hourlyMicros } from "../../deployments/fireworks-config";
import type { Bindings } from "../../env";
import { ApiError } from "../../errors";
import { configureClock, nowMs } from "../../lib/clock";
import { throwsAcrossRpc } from "../rpc-errors";
import { migrate } from "../sql-migrations";
import { type CostShare, settle, shareOf } from "./cost";
import { advance } from "./reconcile";
import { type AddonRow, type AddonState, BASE_DEPLOYMENT_MIGRATIONS, BaseDeploymentStore, type BaseRow, HOLDING } from "./store";

/** Poll cadence while something is in flight (Fireworks documents no figure; provisioning takes minutes). */
export const POLL_MS = 30_000;
/** Longest wait between attempts after provider errors. */
const MAX_BACKOFF_MS = 10 * 60_000;

export interface AttachInput {
  /** The Fireworks account and the request id the provider calls carry (the alarm's calls reuse the first one's). */
  account: string;
  request_id: string;
  deployment_id: string;
  tenant_id: string;
  /** The LoRA, `accounts/{a}/models/{id}`. */
  model: string;
  /** The base model the shared deployment serves, as Fireworks names it. */
  base_model: string;
  hardware: FireworksHardware;
  min_replicas: number;
  max_replicas: number;
  addon_limit: number;
}

export interface AddonView {
  deployment_id: string;
  tenant_id: string;
  model: string;
  state: AddonState;
  /** The deployed model's resource name once loaded. */
  deployed_model: string | null;
  /** The shared deployment's resource name (`accounts/{a}/deployments/{id}`), once it has one. */
  base_deployment: string | null;
  base_state: BaseRow["state"];
  /** What to send as `model` for inference once ready: `<model>#<deployment>`. */
  inference_model: string | null;
  error: string | null;
}

export interface BaseDeploymentView {
  base: BaseRow | null;
  addons: AddonRow[];
}

/**
 * One per (Fireworks account, base model): the installation's shared on-demand deployment of that
 * base, with LoRA addons loaded on it for every tenant whose student asks to be served shared.
 * Created on the first adapter's need under an id this object chooses (`base-<model>-g<n>`),
 * deleted after its last adapter is unloaded; a later need creates generation n+1 (a deleted
 * Fireworks deployment stays soft-deleted under its id). Its alarm drives provisioning, loads
 * and unloads; callers (the ModelDeployment objects, through FireworksDeploymentProvider) also
 * advance it when they poll. Calls are serialised, so no two passes race to create.
 */
export class BaseDeployment extends DurableObject<Bindings> {
  readonly #store: BaseDeploymentStore;
  #chain: Promise<unknown> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    configureClock(env);
    this.#store = new BaseDeploymentStore(ctx.storage.sql);
    ctx.blockConcurrencyWhile(async () => migrate(ctx.storage.sql, BASE_DEPLOYMENT_MIGRATIONS));
  }

  /**
   * Asks for an adapter for `deployment_id` (a repeat returns it as it stands). Refused with a 409
   * when the base already holds its addon limit: Distillery does not open a second shared
   * deployment; the caller stops another adapter or deploys this one dedicated (`shared: false`).
   */
  attach(input: AttachInput): Promise<AddonView> {
    return this.#serial(async () => {
      const existing = this.#store.addon(input.deployment_id);
      if (existing) return this.#view(existing);
      let base = this.#store.base();
      if (!base) {
        base = {
          account: input.account,
          base_model: input.base_model,
          generation: 1,
          provider_id: null,
          state: "none",
          provider_state: null,
          error: null,
          request_id: input.request_id,
          hardware: JSON.stringify(input.hardware),
          hourly_micros: hourlyMicros(input.hardware, input.min_replicas),
          min_replicas: input.min_replicas,
          max_replicas: input.max_replicas,
          addon_limit: input.addon_limit,
          up_since_ms: null,
          settled_at_ms: null,
          failures: 0,
        };
        this.#store.insertBase(base);
      }
      const holding = this.#store.addons().filter((a) => HOLDING.has(a.state));
      if (holding.length >= base.addon_limit) {
        throw new ApiError("conflict", `The shared Fireworks deployment of ${base.base_model} holds its limit of ${base.addon_limit} adapters. Stop another deployment on it, or deploy this model with shared: false.`, {
          details: { reason: "addon_limit", base_model: base.base_model, addon_limit: base.addon_limit },
          retryable: false,
        });
      }
      this.#settle();
      if (holding.length === 0) this.#store.updateBase({ up_since_ms: nowMs(), request_id: input.request_id });
      this.#store.insertAddon({
        deployment_id: input.deployment_id,
        tenant_id: input.tenant_id,
        model: input.model,
        state: "waiting",
        deployed_model: null,
        base_provider_id: null,
        error: null,
        attached_at_ms: nowMs(),
        detached_at_ms: null,
        accrued_micros: 0,
      });
      await this.#reconcile();
      return this.#view(this.#store.addon(input.deployment_id)!);
    });
  }

  /** Advances what is in flight, then the adapter as it stands; null when it was never asked for. */
  poll(deploymentId: string): Promise<AddonView | null> {
    return this.#serial(async () => {
      if (!this.#store.addon(deploymentId)) return null;
      await this.#reconcile();
      return this.#view(this.#store.addon(deploymentId)!);
    });
  }

  /** The adapter as recorded, no provider call; null when it was never asked for. */
  find(deploymentId: string): AddonView | null {
    const addon = this.#store.addon(deploymentId);
    return addon ? this.#view(addon) : null;
  }

  /** Stops one adapter: unloads only it; the base goes with its last adapter. Repeats are harmless. */
  detach(deploymentId: string): Promise<AddonView | null> {
    return this.#serial(async () => {
      const addon = this.#store.addon(deploymentId);
      if (!addon) return null;
      if (HOLDING.has(addon.state)) {
        this.#settle();
        // Never asked to load (the load is recorded before it is sent): nothing to unload.
        const state: AddonState = addon.state === "waiting" ? "stopped" : "unloading";
        this.#store.updateAddon(deploymentId, { state, detached_at_ms: nowMs() });
      } else if (addon.state === "failed") {
        this.#store.updateAddon(deploymentId, { state: "stopped", detached_at_ms: addon.detached_at_ms ?? nowMs() });
      }
      await this.#reconcile();
      return this.#view(this.#store.addon(deploymentId)!);
    });
  }

  /** This adapter's part of the base deployment's cost (rule: cost.ts, README). */
  costShare(deploymentId: string): CostShare | null {
    const addon = this.#store.addon(deploymentId);
    const base = this.#store.base();
    if (!addon || !base) return null;
    const holders = this.#store.addons().filter((a) => HOLDING.has(a.state)).length;
    return shareOf({ ...addon, holding: HOLDING.has(addon.state) }, holders, base.hourly_micros, base.settled_at_ms, nowMs());
  }

  /** Everything recorded (tests, diagnostics). */
  state(): BaseDeploymentView {
    return { base: this.#store.base(), addons: this.#store.addons() };
  }

  override async alarm(): Promise<void> {
    await this.#serial(() => this.#reconcile());
  }

  /** One pass; provider errors are recorded and retried with backoff by the alarm, never thrown at a poller. */
  async #reconcile(): Promise<void> {
    const base = this.#store.base();
    if (!base) return;
    const api = new FireworksDeploymentsApi(this.env, { requestId: base.request_id, account: base.account });
    let failed = false;
    try {
      await advance(this.#store, api, () => this.#settle());
      this.#store.updateBase({ error: null, failures: 0 });
    } catch (err) {
      failed = true;
      const message = err instanceof Error ? err.message : String(err);
      this.#store.updateBase({ error: message, failures: base.failures + 1 });
    }
    await this.#schedule(failed);
  }

  /** Settles the cost of the time since the last change among the current holders. */
  #settle(): void {
    const base = this.#store.base();
    if (!base) return;
    const now = nowMs();
    const holders = this.#store.addons().filter((a) => HOLDING.has(a.state));
    if (base.settled_at_ms !== null) {
      for (const [id, micros] of settle(holders, base.hourly_micros, base.settled_at_ms, now)) this.#store.updateAddon(id, { accrued_micros: micros });
    }
    this.#store.updateBase({ settled_at_ms: now });
  }

  async #schedule(failed: boolean): Promise<void> {
    const base = this.#store.base();
    const busy =
      (base !== null && (base.state === "creating" || base.state === "deleting" || (base.state === "none" && this.#holding() > 0))) ||
      this.#store.addons().some((a) => a.state === "waiting" || a.state === "loading" || a.state === "unloading");
    if (!busy && !failed) {
      await this.ctx.storage.deleteAlarm();
      return;
    }
    const failures = base?.failures ?? 0;
    const delay = failed ? Math.min(MAX_BACKOFF_MS, POLL_MS * 2 ** Math.max(0, failures - 1)) : POLL_MS;
    await this.ctx.storage.setAlarm(Date.now() + delay);
  }

  #holding(): number {
    return this.#store.addons().filter((a) => HOLDING.has(a.state)).length;
  }

  #view(addon: AddonRow): AddonView {
    const base = this.#store.base();
    const baseName = addon.base_provider_id ?? (base?.provider_id ? `accounts/${base.account}/deployments/${base.provider_id}` : null);
    return {
      deployment_id: addon.deployment_id,
      tenant_id: addon.tenant_id,
      model: addon.model,
      state: addon.state,
      deployed_model: addon.deployed_model,
      base_deployment: baseName,
      base_state: base?.state ?? "none",
      inference_model: addon.state === "ready" && baseName ? `${addon.model}#${baseName}` : null,
      error: addon.error,
    };
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(fn, fn);
    this.#chain = run.catch(() => undefined);
    return run;
  }
}

throwsAcrossRpc(BaseDeployment);
