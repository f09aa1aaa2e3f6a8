import { logLine } from "../../lib/log";
import { activeModelKey, type ActivePointer } from "../../serving/pointer";
import { all, first, num, numOrNull, oneOf, rowOf, text, textOrNull } from "../sql-rows";
import type { TenantState } from "./surfaces/surface";

/**
 * The switch: which model serves the tenant now, as a list of versions in its database. Each
 * change (an activation, a promotion by the rule, a rollback) appends one version; the newest is
 * the truth. KV `MODELS` holds a copy for the hot path (`syncedVersion` says how far the copy is
 * known to have got), which the object writes after committing and repairs when that write failed.
 */

export type ActiveChange = "activate" | "promote" | "rollback";

/** One version of the switch: the pointer's fields (its time is `at`), and why it changed. */
export interface ActiveModelVersion extends Omit<ActivePointer, "updated_at"> {
  action: ActiveChange;
  reason: string | null;
  /**
   * The version a rollback from this one goes back to (the one current before it was made; for a
   * rollback, the target's own), so repeated rollbacks walk back like an undo, never to and fro.
   * Null: back to the teacher.
   */
  prior_version: number | null;
  at: string;
}

/** What serves a model, as the caller resolved it (registry or catalog). */
export type ServingTarget = Pick<ActivePointer, "model" | "provider" | "base_url" | "served_as">;

const versionRow = rowOf<ActiveModelVersion>()({
  version: num,
  model: text,
  provider: text,
  base_url: textOrNull,
  served_as: oneOf<"student" | "teacher">(),
  eval_id: textOrNull,
  action: oneOf<ActiveChange>(),
  reason: textOrNull,
  prior_version: numOrNull,
  at: text,
});

/** The current version, or null when the tenant never changed its model (the teacher serves, version 0). */
export function currentVersion(sql: SqlStorage): ActiveModelVersion | null {
  return first(versionRow, sql, "SELECT * FROM active_model ORDER BY version DESC LIMIT 1");
}

export function versionOf(sql: SqlStorage, version: number): ActiveModelVersion | null {
  return first(versionRow, sql, "SELECT * FROM active_model WHERE version = ?", version);
}

/** Every version, newest first (a tenant changes its model rarely; capped all the same). */
export function versionHistory(sql: SqlStorage, limit = 200): ActiveModelVersion[] {
  return all(versionRow, sql, "SELECT * FROM active_model ORDER BY version DESC LIMIT ?", limit);
}

/** Appends a version; the caller decided it is a change. */
export function appendVersion(
  sql: SqlStorage,
  target: ServingTarget,
  change: { action: ActiveChange; reason: string | null; eval_id: string | null; prior_version: number | null },
  at: string,
): ActiveModelVersion {
  const version = (currentVersion(sql)?.version ?? 0) + 1;
  sql.exec(
    `INSERT INTO active_model (version, model, provider, base_url, served_as, eval_id, action, reason, prior_version, at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    version, target.model, target.provider, target.base_url, target.served_as,
    change.eval_id, change.action, change.reason, change.prior_version, at,
  );
  // The registry's statuses follow the switch, so GET /api/models needs no KV read.
  sql.exec("UPDATE models SET status = 'candidate', updated_at = ? WHERE status = 'active' AND id != ?", at, target.model);
  sql.exec("UPDATE models SET status = 'active', updated_at = ? WHERE id = ?", at, target.model);
  sql.exec(
    "INSERT INTO model_history (model, action, job_id, detail, at) VALUES (?, ?, (SELECT job_id FROM models WHERE id = ?), ?, ?)",
    target.model, change.action === "rollback" ? "rolled_back_to" : "activated", target.model,
    `version ${version}${change.eval_id ? `, eval ${change.eval_id}` : ""}${change.reason ? `: ${change.reason}` : ""}`, at,
  );
  return versionOf(sql, version)!;
}

/** The version KV `MODELS` is known to hold (0: none written yet). */
export function syncedVersion(sql: SqlStorage): number {
  return sql.exec<{ v: number }>("SELECT synced_version AS v FROM active_model_sync WHERE one = 1").toArray()[0]?.v ?? 0;
}

export function markSynced(sql: SqlStorage, version: number): void {
  sql.exec(
    `INSERT INTO active_model_sync (one, synced_version) VALUES (1, ?)
     ON CONFLICT (one) DO UPDATE SET synced_version = max(synced_version, excluded.synced_version)`,
    version,
  );
}

/** The hot path's copy of a version (KV `MODELS` `active:{tenant}`, read by src/serving/pointer.ts). */
export function pointerOf(v: ActiveModelVersion): ActivePointer {
  return { version: v.version, model: v.model, provider: v.provider, base_url: v.base_url, served_as: v.served_as, eval_id: v.eval_id, updated_at: v.at };
}

/** How soon the object's alarm retries a KV write that failed. */
export const POINTER_REPAIR_DELAY_MS = 10_000;

// One sync at a time per object (keyed by its database): each writes the truth as it is when it
// runs, so the last write to KV is the newest version even when two changes' writes would race.
const syncing = new WeakMap<SqlStorage, Promise<boolean>>();

/**
 * Writes the current version to KV unless KV is known to hold it; on failure arms the object's
 * alarm, whose run (`repairPointer`) tries again: the object's truth wins over whatever KV holds.
 */
export function syncPointer(state: Pick<TenantState, "sql" | "storage" | "env">, kv: Pick<KVNamespace, "put"> = state.env.MODELS): Promise<boolean> {
  const run = (syncing.get(state.sql) ?? Promise.resolve(true)).then(() => writePointer(state, kv));
  syncing.set(state.sql, run.catch(() => false));
  return run;
}

async function writePointer(state: Pick<TenantState, "sql" | "storage">, kv: Pick<KVNamespace, "put">): Promise<boolean> {
  const current = currentVersion(state.sql);
  if (!current || syncedVersion(state.sql) >= current.version) return true;
  const tenantId = tenantIdOf(state.sql);
  try {
    await kv.put(activeModelKey(tenantId), JSON.stringify(pointerOf(current)));
  } catch (err) {
    logLine("warn", "active model pointer not written to KV; the alarm retries", { tenant: tenantId, version: current.version, error: String(err) });
    const at = Date.now() + POINTER_REPAIR_DELAY_MS;
    const armed = await state.storage.getAlarm();
    if (armed === null || armed > at) await state.storage.setAlarm(at);
    return false;
  }
  markSynced(state.sql, current.version);
  return true;
}

/** The alarm's part: re-writes KV when the last write failed (nothing to do otherwise). */
export async function repairPointer(state: Pick<TenantState, "sql" | "storage" | "env">): Promise<void> {
  const current = currentVersion(state.sql);
  if (current && syncedVersion(state.sql) < current.version) await syncPointer(state);
}

function tenantIdOf(sql: SqlStorage): string {
  const row = sql.exec<{ id: string }>("SELECT id FROM tenant LIMIT 1").toArray()[0];
  if (!row) throw new Error("tenant record missing: the object was never created");
  return row.id;
}
