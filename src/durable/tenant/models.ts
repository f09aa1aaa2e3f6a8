import { all, first, flag, numOrNull, oneOf, rowOf, text, textOrNull } from "../sql-rows";

/** The tenant's model registry: fine-tunes its jobs produced, and the history of what happened to each. */

export type RegisteredStatus = "candidate" | "active" | "retired";

export interface RegisteredModel {
  /** The name callers send (the provider's fine-tuned model name). */
  id: string;
  /** The OpenAI-compatible provider that serves it. */
  provider: string;
  fine_tune_provider: string;
  /** Catalog id of the base it was trained from. */
  base_model: string;
  job_id: string;
  status: RegisteredStatus;
  /** False until the model can be called (Together and Fireworks need a deployment first). */
  servable: boolean;
  trained_tokens: number | null;
  created_at: string;
  updated_at: string;
}

export interface ModelHistoryEntry {
  model: string;
  action: string;
  job_id: string | null;
  detail: string | null;
  at: string;
}

export type NewRegisteredModel = Omit<RegisteredModel, "status" | "created_at" | "updated_at">;

const modelRow = rowOf<RegisteredModel>()({
  id: text,
  provider: text,
  fine_tune_provider: text,
  base_model: text,
  job_id: text,
  status: oneOf<RegisteredStatus>(),
  servable: flag,
  trained_tokens: numOrNull,
  created_at: text,
  updated_at: text,
});

const historyRow = rowOf<ModelHistoryEntry>()({ model: text, action: text, job_id: textOrNull, detail: textOrNull, at: text });

/** Registers a fine-tune as a candidate; a repeat (a redelivered alarm, a re-attach) changes nothing. */
export function registerModel(sql: SqlStorage, model: NewRegisteredModel, now: string): { created: boolean; model: RegisteredModel } {
  const existing = getRegisteredModel(sql, model.id);
  if (existing) return { created: false, model: existing };
  sql.exec(
    `INSERT INTO models (id, provider, fine_tune_provider, base_model, job_id, status, servable, trained_tokens, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, 'candidate', ?, ?, ?, ?)`,
    model.id, model.provider, model.fine_tune_provider, model.base_model, model.job_id, model.servable ? 1 : 0, model.trained_tokens, now, now,
  );
  sql.exec(
    "INSERT INTO model_history (model, action, job_id, detail, at) VALUES (?, 'registered', ?, ?, ?)",
    model.id, model.job_id, model.servable ? "candidate, servable" : "candidate, needs a deployment before it can serve", now,
  );
  return { created: true, model: getRegisteredModel(sql, model.id)! };
}

export function getRegisteredModel(sql: SqlStorage, id: string): RegisteredModel | null {
  return first(modelRow, sql, "SELECT * FROM models WHERE id = ?", id);
}

/** The whole registry (a tenant has few models): newest first, with its history and the bases its jobs used. */
export function modelRegistry(sql: SqlStorage): { models: RegisteredModel[]; history: ModelHistoryEntry[]; base_models: string[] } {
  const models = all(modelRow, sql, "SELECT * FROM models ORDER BY created_at DESC, id");
  const history = all(historyRow, sql, "SELECT model, action, job_id, detail, at FROM model_history ORDER BY seq DESC LIMIT 200");
  const base_models = sql
    .exec<{ base_model: string }>("SELECT DISTINCT base_model FROM jobs ORDER BY base_model")
    .toArray()
    .map((r) => r.base_model);
  return { models, history, base_models };
}

/** How a servable model is reached when a deployment serves it (null fields: the provider's usual route, its own name). */
export interface ModelServing {
  deployment_id: string | null;
  base_url: string | null;
  inference_model: string | null;
}

/** The deployment serving a model, if any. */
export function modelServing(sql: SqlStorage, id: string): ModelServing | null {
  const row = sql
    .exec<{ deployment_id: string | null; base_url: string | null; inference_model: string | null }>("SELECT deployment_id, base_url, inference_model FROM models WHERE id = ?", id)
    .toArray()[0];
  return row ? { deployment_id: row.deployment_id ?? null, base_url: row.base_url ?? null, inference_model: row.inference_model ?? null } : null;
}

/** Marks a model servable through a ready deployment (a repeat changes nothing). */
export function serveModel(sql: SqlStorage, model: string, serving: ModelServing & { deployment_id: string }, now: string): boolean {
  const cursor = sql.exec(
    `UPDATE models SET servable = 1, deployment_id = ?, base_url = ?, inference_model = ?, updated_at = ?
     WHERE id = ? AND NOT (servable = 1 AND deployment_id IS ?)`,
    serving.deployment_id, serving.base_url, serving.inference_model, now, model, serving.deployment_id,
  );
  if (cursor.rowsWritten === 0) return false;
  sql.exec("INSERT INTO model_history (model, action, job_id, detail, at) VALUES (?, 'deployed', NULL, ?, ?)", model, `servable through deployment ${serving.deployment_id}`, now);
  return true;
}

/** Makes a model unservable again when the deployment serving it stops or fails (another deployment's model is left alone). */
export function unserveModel(sql: SqlStorage, model: string, deploymentId: string, reason: string, now: string): boolean {
  const cursor = sql.exec(
    "UPDATE models SET servable = 0, deployment_id = NULL, base_url = NULL, inference_model = NULL, updated_at = ? WHERE id = ? AND deployment_id = ?",
    now, model, deploymentId,
  );
  if (cursor.rowsWritten === 0) return false;
  sql.exec("INSERT INTO model_history (model, action, job_id, detail, at) VALUES (?, 'undeployed', NULL, ?, ?)", model, `deployment ${deploymentId} ${reason}`, now);
  return true;
}
