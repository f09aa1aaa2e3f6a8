import { keyOf, keysetPage, type PageQuery } from "../keyset";
import { first, flag, num, rowOf, text, textOrNull } from "../sql-rows";

/** The tenant's index of its deployments; each one's lifecycle lives in its ModelDeployment object. */

export interface DeploymentSummary {
  id: string;
  model: string;
  provider: string;
  profile: string;
  state: string;
  inference_model: string | null;
  hourly_micros: number;
  min_replicas: number;
  max_replicas: number;
  shared: boolean;
  job_id: string | null;
  created_at: string;
  updated_at: string;
}

const summaryRow = rowOf<DeploymentSummary>()({
  id: text,
  model: text,
  provider: text,
  profile: text,
  state: text,
  inference_model: textOrNull,
  hourly_micros: num,
  min_replicas: num,
  max_replicas: num,
  shared: flag,
  job_id: textOrNull,
  created_at: text,
  updated_at: text,
});

/** States in which a deployment is live (being made, serving, or being stopped). */
export const LIVE_DEPLOYMENT_STATES = ["requested", "provisioning", "ready", "stopping"] as const;
const LIVE = `('${LIVE_DEPLOYMENT_STATES.join("', '")}')`;

/**
 * Claims a deployment of a model. A model has at most one live deployment: asking again while one
 * is live returns it, so a repeated deploy never makes a second one.
 */
export function claimDeployment(sql: SqlStorage, d: DeploymentSummary): { created: boolean; deployment: DeploymentSummary } {
  const live = first(summaryRow, sql, `SELECT * FROM deployments WHERE model = ? AND state IN ${LIVE} ORDER BY rowid DESC LIMIT 1`, d.model);
  if (live) return { created: false, deployment: live };
  const existing = getDeploymentSummary(sql, d.id);
  if (existing) return { created: false, deployment: existing };
  sql.exec(
    `INSERT INTO deployments (id, model, provider, profile, state, inference_model, hourly_micros, min_replicas, max_replicas, shared, job_id, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    d.id, d.model, d.provider, d.profile, d.state, d.inference_model, d.hourly_micros, d.min_replicas, d.max_replicas, d.shared ? 1 : 0, d.job_id, d.created_at, d.updated_at,
  );
  return { created: true, deployment: d };
}

/** Mirrors a deployment's state from its object. */
export function updateDeploymentSummary(sql: SqlStorage, patch: Pick<DeploymentSummary, "id" | "state" | "inference_model" | "updated_at">): void {
  sql.exec(
    "UPDATE deployments SET state = ?, inference_model = COALESCE(?, inference_model), updated_at = ? WHERE id = ?",
    patch.state, patch.inference_model, patch.updated_at, patch.id,
  );
}

export function getDeploymentSummary(sql: SqlStorage, id: string): DeploymentSummary | null {
  return first(summaryRow, sql, "SELECT * FROM deployments WHERE id = ?", id);
}

/** Newest first, keyset-paged by deployment id after or before one. */
export function listDeploymentSummaries(sql: SqlStorage, opts: PageQuery & { state?: string }): { data: DeploymentSummary[]; has_more: boolean } {
  const page = keysetPage(
    sql,
    {
      select: "SELECT rowid AS _key, * FROM deployments",
      where: opts.state ? ["state = ?"] : [],
      args: opts.state ? [opts.state] : [],
      key: "rowid",
      order: "desc",
      cursor: keyOf(sql, "SELECT rowid AS _key FROM deployments WHERE id = ?"),
      noun: "deployment",
    },
    opts,
  );
  return { data: page.rows.map(summaryRow), has_more: page.has_more };
}

/** Deployments in a transitional state not heard from since `before` (ISO): their objects' alarms may be lost. */
export function quietDeployments(sql: SqlStorage, before: string, limit: number): string[] {
  return sql
    .exec<{ id: string }>("SELECT id FROM deployments WHERE state IN ('requested', 'provisioning', 'stopping') AND updated_at <= ? LIMIT ?", before, limit)
    .toArray()
    .map((r) => r.id);
}

/** Standing cost now: micro-dollars per hour of the tenant's serving deployments. */
export function standingHourlyMicros(sql: SqlStorage): number {
  return sql.exec<{ n: number | null }>("SELECT SUM(hourly_micros * min_replicas) AS n FROM deployments WHERE state = 'ready'").one().n ?? 0;
}

/**
 * Tokens per answer for a model's break-even: the teacher's calls that labeled the dataset its job
 * trained on (a snapshot's rows are its source's), else the tenant's teacher calls of the last 30
 * days, else null. (An eval's measured tokens, issue 18, take precedence once evals are stored.)
 */
export function answerTokens(sql: SqlStorage, model: string, teacher: string, sinceDay: string): { prompt: number; completion: number; source: "dataset" | "teacher_usage" } | null {
  const dataset = sql
    .exec<{ id: string | null; source: string | null }>(
      `SELECT d.id AS id, d.snapshot_of AS source FROM models m JOIN jobs j ON j.id = m.job_id JOIN datasets d ON d.id = j.dataset_id WHERE m.id = ?`,
      model,
    )
    .toArray()[0];
  const datasetId = dataset?.source ?? dataset?.id;
  if (datasetId) {
    const row = sql
      .exec<{ n: number; p: number | null; c: number | null }>(
        `SELECT COUNT(*) AS n, AVG(json_extract(usage, '$.prompt_tokens')) AS p, AVG(json_extract(usage, '$.completion_tokens')) AS c
         FROM dataset_rows WHERE dataset_id = ? AND usage IS NOT NULL AND json_valid(usage)`,
        datasetId,
      )
      .one();
    if (row.n > 0 && row.p !== null && row.c !== null) return { prompt: Math.round(row.p), completion: Math.round(row.c), source: "dataset" };
  }
  const usage = sql
    .exec<{ calls: number | null; p: number | null; c: number | null }>(
      "SELECT SUM(calls) AS calls, SUM(prompt_tokens) AS p, SUM(completion_tokens) AS c FROM usage WHERE model = ? AND day >= ?",
      teacher,
      sinceDay,
    )
    .one();
  if (usage.calls && usage.p !== null && usage.c !== null) return { prompt: Math.round(usage.p / usage.calls), completion: Math.round(usage.c / usage.calls), source: "teacher_usage" };
  return null;
}

/** Micro-dollars the tenant spent on the teacher since a day (YYYY-MM-DD). */
export function teacherSpendMicros(sql: SqlStorage, teacher: string, sinceDay: string): number {
  return sql.exec<{ n: number | null }>("SELECT SUM(cost_micros) AS n FROM usage WHERE model = ? AND day >= ?", teacher, sinceDay).one().n ?? 0;
}
