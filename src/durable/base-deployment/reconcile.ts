import type { FireworksDeploymentsApi, FwDeployment } from "../../deployments/fireworks-api";
import type { FireworksHardware } from "../../deployments/fireworks-config";
import { ApiError } from "../../errors";
import { type AddonRow, type BaseDeploymentStore, HOLDING } from "./store";

/** The shared deployment's id for a base model and generation: `[a-z0-9-]`, ≤ 63 characters. */
export function baseDeploymentId(baseModel: string, generation: number): string {
  const slug = (baseModel.split("/").pop() ?? baseModel).toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  return `base-${slug.slice(0, 45).replace(/-+$/, "")}-g${generation}`;
}

/**
 * One step of everything in flight, in order: unload what was stopped; then, while adapters hold
 * the base, create it (or find the one a crashed pass created) and wait for READY, and load each
 * waiting adapter (or find the load a crashed pass sent); with no holder left, delete the base.
 * Each provider call is preceded by the write that names it. Retryable provider errors propagate
 * (the object backs off); final ones fail the adapters they concern.
 */
export async function advance(store: BaseDeploymentStore, api: FireworksDeploymentsApi, settle: () => void): Promise<void> {
  for (const addon of store.addons().filter((a) => a.state === "unloading")) await unload(store, api, addon);

  const base = store.base();
  if (!base) return;
  const holders = store.addons().filter((a) => HOLDING.has(a.state));
  const unloading = store.addons().some((a) => a.state === "unloading");

  if (holders.length === 0) {
    if (unloading) return; // Fireworks refuses to delete a deployment that still has models on it.
    if ((base.state === "creating" || base.state === "ready") && base.provider_id) {
      store.updateBase({ state: "deleting", up_since_ms: null });
      await api.deleteDeployment(base.provider_id);
    }
    if (store.base()?.state === "deleting") await settleDeletion(store, api);
    return;
  }

  if (base.state === "deleting") {
    await settleDeletion(store, api);
    if (store.base()?.state !== "none") return;
  }
  if (store.base()?.state === "none") {
    const b = store.base()!;
    const id = baseDeploymentId(b.base_model, b.generation);
    store.updateBase({ state: "creating", provider_id: id });
    await createBase(store, api, id, settle);
  } else if (store.base()?.state === "creating") {
    const id = store.base()!.provider_id!;
    const d = await api.getDeployment(id);
    if (d) applyDeployment(store, d, settle);
    else await createBase(store, api, id, settle); // recorded, but the create never reached Fireworks
  }

  const now = store.base();
  if (now?.state !== "ready" || !now.provider_id) return;
  const baseName = api.deploymentName(now.provider_id);
  for (const addon of store.addons().filter((a) => a.state === "waiting" || a.state === "loading")) await load(store, api, addon, baseName, settle);
}

async function createBase(store: BaseDeploymentStore, api: FireworksDeploymentsApi, id: string, settle: () => void): Promise<void> {
  const b = store.base()!;
  const hw = JSON.parse(b.hardware) as FireworksHardware;
  try {
    const d = await api.createDeployment(id, {
      baseModel: b.base_model,
      displayName: `distillery shared ${b.base_model.split("/").pop() ?? ""}`.slice(0, 63),
      minReplicaCount: b.min_replicas,
      maxReplicaCount: Math.max(b.max_replicas, b.min_replicas, 1),
      acceleratorType: hw.accelerator_type,
      acceleratorCount: hw.accelerator_count,
      enableAddons: true,
    });
    applyDeployment(store, d, settle);
  } catch (err) {
    if (err instanceof ApiError && !err.retryable) {
      // Refused outright (a bad request, credentials): nothing exists; the waiting adapters fail.
      store.updateBase({ state: "none", provider_id: null, provider_state: null });
      failHolders(store, `Fireworks refused the shared deployment: ${err.message}`, settle);
      return;
    }
    throw err;
  }
}

/** Reads a deployment's state into the base row; FAILED fails the adapters waiting on it and deletes it. */
function applyDeployment(store: BaseDeploymentStore, d: FwDeployment, settle: () => void): void {
  const state = d.state ?? "STATE_UNSPECIFIED";
  if (state === "READY") {
    store.updateBase({ state: "ready", provider_state: state });
  } else if (state === "FAILED") {
    const message = d.status?.message || "The Fireworks deployment failed.";
    store.updateBase({ state: "deleting", provider_state: state, up_since_ms: null });
    // Deleted by the next pass (settleDeletion asks again while Fireworks still shows it).
    failHolders(store, `The shared Fireworks deployment ${d.name} failed: ${message}`, settle);
  } else if (state === "DELETING" || state === "DELETED") {
    store.updateBase({ state: "deleting", provider_state: state });
  } else {
    store.updateBase({ provider_state: state });
  }
}

/** Deleting → gone (404 or soft-deleted DELETED): the next need uses the next generation's id. */
async function settleDeletion(store: BaseDeploymentStore, api: FireworksDeploymentsApi): Promise<void> {
  const b = store.base()!;
  if (!b.provider_id) {
    store.updateBase({ state: "none" });
    return;
  }
  const d = await api.getDeployment(b.provider_id);
  if (!d || d.state === "DELETED") {
    store.updateBase({ state: "none", provider_id: null, provider_state: d?.state ?? null, generation: b.generation + 1 });
    return;
  }
  if (d.state === "FAILED" || d.state === "READY" || d.state === "CREATING") {
    // Asked to delete but Fireworks still shows it (a FAILED one, or a delete that was lost): ask again.
    await api.deleteDeployment(b.provider_id);
  }
  store.updateBase({ provider_state: d.state ?? null });
}

async function load(store: BaseDeploymentStore, api: FireworksDeploymentsApi, addon: AddonRow, baseName: string, settle: () => void): Promise<void> {
  if (addon.state === "waiting") {
    store.updateAddon(addon.deployment_id, { state: "loading", base_provider_id: baseName });
  }
  let name = addon.deployed_model;
  let providerState: string | null = null;
  if (!name) {
    try {
      // A load whose answer was lost (a crash, a timeout) is there already: find it first.
      const found = (await api.findAddon(addon.model, baseName)) ?? (await api.loadAddon(addon.model, baseName, addon.deployment_id));
      name = found.name;
      providerState = found.state ?? null;
      store.updateAddon(addon.deployment_id, { deployed_model: name });
    } catch (err) {
      if (err instanceof ApiError && !err.retryable) {
        settle();
        store.updateAddon(addon.deployment_id, { state: "failed", error: err.message });
        return;
      }
      throw err;
    }
  } else {
    const got = await api.getAddon(name);
    if (!got) {
      store.updateAddon(addon.deployment_id, { deployed_model: null }); // vanished: load again next pass
      return;
    }
    providerState = got.state ?? null;
  }
  if (providerState === "DEPLOYED") store.updateAddon(addon.deployment_id, { state: "ready", error: null });
}

async function unload(store: BaseDeploymentStore, api: FireworksDeploymentsApi, addon: AddonRow): Promise<void> {
  let name = addon.deployed_model;
  if (!name && addon.base_provider_id) name = (await api.findAddon(addon.model, addon.base_provider_id))?.name ?? null;
  if (!name) {
    store.updateAddon(addon.deployment_id, { state: "stopped" });
    return;
  }
  const got = await api.getAddon(name);
  if (!got) {
    store.updateAddon(addon.deployment_id, { state: "stopped", deployed_model: name });
    return;
  }
  if (got.state !== "UNDEPLOYING") await api.unloadAddon(name);
  store.updateAddon(addon.deployment_id, { deployed_model: name });
}

function failHolders(store: BaseDeploymentStore, message: string, settle: () => void): void {
  settle();
  for (const a of store.addons().filter((x) => x.state === "waiting" || x.state === "loading")) {
    store.updateAddon(a.deployment_id, { state: "failed", error: message });
  }
}
