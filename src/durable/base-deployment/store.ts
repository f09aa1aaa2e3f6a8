import { all, first, num, numOrNull, oneOf, rowOf, text, textOrNull } from "../sql-rows";

/**
 * The shared base deployment's state in the object's SQLite: one `base` row (the provider
 * deployment of the current generation) and one `addons` row per Distillery deployment that
 * asked for an adapter on it. Every provider call is preceded by the write that names what it
 * will make, so a crash between the two is found again, never made twice.
 */
export const BASE_DEPLOYMENT_MIGRATIONS: readonly string[] = [
  `CREATE TABLE base (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     account TEXT NOT NULL,
     base_model TEXT NOT NULL,
     generation INTEGER NOT NULL,
     provider_id TEXT,
     state TEXT NOT NULL,
     provider_state TEXT,
     error TEXT,
     request_id TEXT NOT NULL,
     hardware TEXT NOT NULL,
     hourly_micros INTEGER NOT NULL,
     min_replicas INTEGER NOT NULL,
     max_replicas INTEGER NOT NULL,
     addon_limit INTEGER NOT NULL,
     up_since_ms INTEGER,
     settled_at_ms INTEGER,
     failures INTEGER NOT NULL DEFAULT 0
   )`,
  `CREATE TABLE addons (
     deployment_id TEXT PRIMARY KEY,
     tenant_id TEXT NOT NULL,
     model TEXT NOT NULL,
     state TEXT NOT NULL,
     deployed_model TEXT,
     base_provider_id TEXT,
     error TEXT,
     attached_at_ms INTEGER NOT NULL,
     detached_at_ms INTEGER,
     accrued_micros REAL NOT NULL DEFAULT 0
   )`,
];

/**
 * The base deployment: `none` (nothing on Fireworks for this generation), `creating`, `ready`,
 * `deleting` (asked to delete; gone once Fireworks shows DELETED or 404, then `none` again with
 * the next generation's id, as a soft-deleted id cannot be reused).
 */
export type BaseState = "none" | "creating" | "ready" | "deleting";

export interface BaseRow {
  account: string;
  base_model: string;
  generation: number;
  provider_id: string | null;
  state: BaseState;
  provider_state: string | null;
  error: string | null;
  request_id: string;
  hardware: string;
  hourly_micros: number;
  min_replicas: number;
  max_replicas: number;
  addon_limit: number;
  up_since_ms: number | null;
  settled_at_ms: number | null;
  failures: number;
}

/**
 * An adapter: `waiting` for the base, `loading` (load asked; found by model + deployment after a
 * crash), `ready`, `failed`, `unloading` (stop asked), `stopped`.
 */
export type AddonState = "waiting" | "loading" | "ready" | "failed" | "unloading" | "stopped";

export interface AddonRow {
  deployment_id: string;
  tenant_id: string;
  model: string;
  state: AddonState;
  deployed_model: string | null;
  base_provider_id: string | null;
  error: string | null;
  attached_at_ms: number;
  detached_at_ms: number | null;
  accrued_micros: number;
}

const readBase = rowOf<BaseRow>()({
  account: text,
  base_model: text,
  generation: num,
  provider_id: textOrNull,
  state: oneOf<BaseState>(),
  provider_state: textOrNull,
  error: textOrNull,
  request_id: text,
  hardware: text,
  hourly_micros: num,
  min_replicas: num,
  max_replicas: num,
  addon_limit: num,
  up_since_ms: numOrNull,
  settled_at_ms: numOrNull,
  failures: num,
});

const readAddon = rowOf<AddonRow>()({
  deployment_id: text,
  tenant_id: text,
  model: text,
  state: oneOf<AddonState>(),
  deployed_model: textOrNull,
  base_provider_id: textOrNull,
  error: textOrNull,
  attached_at_ms: num,
  detached_at_ms: numOrNull,
  accrued_micros: num,
});

/** Adapters that hold the base up (and share its cost): asked for and not yet stopped or failed. */
export const HOLDING: ReadonlySet<AddonState> = new Set(["waiting", "loading", "ready"]);

export class BaseDeploymentStore {
  constructor(private readonly sql: SqlStorage) {}

  base(): BaseRow | null {
    return first(readBase, this.sql, "SELECT * FROM base WHERE id = 1");
  }

  insertBase(b: BaseRow): void {
    this.sql.exec(
      `INSERT INTO base (id, account, base_model, generation, provider_id, state, provider_state, error, request_id, hardware, hourly_micros,
         min_replicas, max_replicas, addon_limit, up_since_ms, settled_at_ms, failures) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      b.account, b.base_model, b.generation, b.provider_id, b.state, b.provider_state, b.error, b.request_id, b.hardware, b.hourly_micros,
      b.min_replicas, b.max_replicas, b.addon_limit, b.up_since_ms, b.settled_at_ms, b.failures,
    );
  }

  updateBase(patch: Partial<BaseRow>): void {
    const keys = Object.keys(patch) as (keyof BaseRow)[];
    if (keys.length === 0) return;
    this.sql.exec(`UPDATE base SET ${keys.map((k) => `${k} = ?`).join(", ")} WHERE id = 1`, ...keys.map((k) => patch[k] as SqlStorageValue));
  }

  addon(deploymentId: string): AddonRow | null {
    return first(readAddon, this.sql, "SELECT * FROM addons WHERE deployment_id = ?", deploymentId);
  }

  addons(): AddonRow[] {
    return all(readAddon, this.sql, "SELECT * FROM addons ORDER BY attached_at_ms, deployment_id");
  }

  insertAddon(a: AddonRow): void {
    this.sql.exec(
      `INSERT INTO addons (deployment_id, tenant_id, model, state, deployed_model, base_provider_id, error, attached_at_ms, detached_at_ms, accrued_micros)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      a.deployment_id, a.tenant_id, a.model, a.state, a.deployed_model, a.base_provider_id, a.error, a.attached_at_ms, a.detached_at_ms, a.accrued_micros,
    );
  }

  updateAddon(deploymentId: string, patch: Partial<AddonRow>): void {
    const keys = Object.keys(patch) as (keyof AddonRow)[];
    if (keys.length === 0) return;
    this.sql.exec(`UPDATE addons SET ${keys.map((k) => `${k} = ?`).join(", ")} WHERE deployment_id = ?`, ...keys.map((k) => patch[k] as SqlStorageValue), deploymentId);
  }
}
