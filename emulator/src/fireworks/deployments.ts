import { iso } from "../fine-tuning/provider-job";
import type { RunStore } from "../runs/store";

/**
 * Fireworks' on-demand deployments and deployed models (LoRA addons), their states read from the
 * emulated clock of the run each was created in (docs.fireworks.ai/api-reference: gatewayDeployment,
 * gatewayDeployedModel). Times are emulated ms.
 */

/** Defaults when a run does not set `deployments` (emulated ms; Fireworks documents no figures). */
export const DEPLOYMENT_DEFAULTS = { provisioning_ms: 5 * 60_000, addon_load_ms: 30_000, addon_limit: 100 } as const;
/** DELETING lasts this long, then the deployment reads DELETED (soft-deleted, as Fireworks shows it). */
export const DELETE_SETTLE_MS = 30_000;
/** UNDEPLOYING lasts this long, then the deployed model is gone (404). */
export const UNDEPLOY_SETTLE_MS = 10_000;

export type DeploymentState = "CREATING" | "READY" | "FAILED" | "DELETING" | "DELETED";
export type DeployedModelState = "DEPLOYING" | "DEPLOYED" | "UNDEPLOYING";

export interface DeploymentRecord {
  account: string;
  id: string;
  run: string;
  baseModel: string;
  displayName: string;
  enableAddons: boolean;
  minReplicaCount: number;
  maxReplicaCount: number;
  acceleratorType: string;
  acceleratorCount: number;
  created: number;
  provisioningMs: number;
  /** Set when the run asked for a failure: FAILED halfway through provisioning. */
  fail: string | null;
  deleteAt: number | null;
}

export interface DeployedModelRecord {
  account: string;
  id: string;
  run: string;
  model: string;
  /** The deployment's resource name, `accounts/{a}/deployments/{id}`. */
  deployment: string;
  displayName: string;
  created: number;
  loadMs: number;
  undeployAt: number | null;
}

export const deploymentName = (d: Pick<DeploymentRecord, "account" | "id">) => `accounts/${d.account}/deployments/${d.id}`;
export const deployedModelName = (m: Pick<DeployedModelRecord, "account" | "id">) => `accounts/${m.account}/deployedModels/${m.id}`;

/** Deployments and deployed models in the emulator's SQLite, states computed on each read. */
export class DeploymentStore {
  constructor(
    private readonly sql: SqlStorage,
    private readonly runs: RunStore,
  ) {}

  state(d: DeploymentRecord): DeploymentState {
    const now = this.runs.now(d.run);
    if (d.deleteAt !== null) return now < d.deleteAt + DELETE_SETTLE_MS ? "DELETING" : "DELETED";
    if (d.fail && now >= d.created + d.provisioningMs / 2) return "FAILED";
    return now < d.created + d.provisioningMs ? "CREATING" : "READY";
  }

  /** The deployed model's state, or null once it is gone (unloaded, or its deployment deleted). */
  modelState(m: DeployedModelRecord): DeployedModelState | null {
    const now = this.runs.now(m.run);
    if (m.undeployAt !== null) return now < m.undeployAt + UNDEPLOY_SETTLE_MS ? "UNDEPLOYING" : null;
    const host = this.deploymentByName(m.deployment);
    if (!host || host.deleteAt !== null) return null;
    return now < m.created + m.loadMs ? "DEPLOYING" : "DEPLOYED";
  }

  get(account: string, id: string): DeploymentRecord | undefined {
    const row = this.sql.exec<{ record: string }>("SELECT record FROM fw_deployments WHERE account = ? AND id = ?", account, id).toArray()[0];
    return row ? (JSON.parse(row.record) as DeploymentRecord) : undefined;
  }

  deploymentByName(name: string): DeploymentRecord | undefined {
    const m = /^accounts\/([^/]+)\/deployments\/([^/]+)$/.exec(name);
    return m ? this.get(m[1] ?? "", m[2] ?? "") : undefined;
  }

  insert(d: DeploymentRecord): void {
    this.sql.exec("INSERT INTO fw_deployments (account, id, record) VALUES (?, ?, ?)", d.account, d.id, JSON.stringify(d));
  }

  save(d: DeploymentRecord): void {
    this.sql.exec("UPDATE fw_deployments SET record = ? WHERE account = ? AND id = ?", JSON.stringify(d), d.account, d.id);
  }

  /** The account's deployments, newest first. */
  list(account: string): DeploymentRecord[] {
    return this.sql
      .exec<{ record: string }>("SELECT record FROM fw_deployments WHERE account = ? ORDER BY seq DESC", account)
      .toArray()
      .map((r) => JSON.parse(r.record) as DeploymentRecord);
  }

  insertModel(m: DeployedModelRecord): void {
    this.sql.exec("INSERT INTO fw_deployed_models (account, id, record) VALUES (?, ?, ?)", m.account, m.id, JSON.stringify(m));
  }

  saveModel(m: DeployedModelRecord): void {
    this.sql.exec("UPDATE fw_deployed_models SET record = ? WHERE account = ? AND id = ?", JSON.stringify(m), m.account, m.id);
  }

  /** A deployed model that still exists (not yet gone). */
  model(account: string, id: string): DeployedModelRecord | undefined {
    const row = this.sql.exec<{ record: string }>("SELECT record FROM fw_deployed_models WHERE account = ? AND id = ?", account, id).toArray()[0];
    const m = row ? (JSON.parse(row.record) as DeployedModelRecord) : undefined;
    return m && this.modelState(m) !== null ? m : undefined;
  }

  /** The account's deployed models that still exist, oldest first (Fireworks orders by name by default; ids sort by creation here). */
  models(account: string): DeployedModelRecord[] {
    return this.sql
      .exec<{ record: string }>("SELECT record FROM fw_deployed_models WHERE account = ? ORDER BY seq", account)
      .toArray()
      .map((r) => JSON.parse(r.record) as DeployedModelRecord)
      .filter((m) => this.modelState(m) !== null);
  }

  /** Every existing deployed model on a deployment (any account may not load onto another's). */
  onDeployment(d: DeploymentRecord): DeployedModelRecord[] {
    return this.models(d.account).filter((m) => m.deployment === deploymentName(d));
  }

  render(d: DeploymentRecord) {
    const state = this.state(d);
    const ready = state === "READY";
    return {
      name: deploymentName(d),
      displayName: d.displayName,
      createTime: iso(d.created),
      updateTime: iso(d.deleteAt ?? (state === "CREATING" ? d.created : d.created + d.provisioningMs)),
      ...(d.deleteAt !== null ? { deleteTime: iso(d.deleteAt) } : {}),
      state,
      status: state === "FAILED" ? { code: "INTERNAL", message: d.fail ?? "" } : { code: "OK", message: "" },
      baseModel: d.baseModel,
      minReplicaCount: d.minReplicaCount,
      maxReplicaCount: d.maxReplicaCount,
      desiredReplicaCount: ready ? Math.max(1, d.minReplicaCount) : 0,
      replicaCount: ready ? Math.max(1, d.minReplicaCount) : 0,
      acceleratorType: d.acceleratorType,
      acceleratorCount: d.acceleratorCount,
      enableAddons: d.enableAddons,
    };
  }

  renderModel(m: DeployedModelRecord) {
    return {
      name: deployedModelName(m),
      displayName: m.displayName,
      createTime: iso(m.created),
      model: m.model,
      deployment: m.deployment,
      default: true,
      state: this.modelState(m) ?? "UNDEPLOYING",
      serverless: false,
      status: { code: "OK", message: "" },
      public: false,
    };
  }
}
