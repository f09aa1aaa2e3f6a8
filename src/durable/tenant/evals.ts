import { ApiError } from "../../errors";
import { nowIso, nowMs } from "../../lib/clock";
import { keyOf, keysetPage, type PageQuery } from "../keyset";
import { all, first, json, jsonOrNull, num, numOrNull, oneOf, rowOf, text, textOrNull } from "../sql-rows";
import type { DatasetRecord, RowRecord } from "./datasets";
import { getDataset, getRow, rowsOf } from "./datasets";
import type { EvalConfig, EvalEstimate, EvalStatus, EvalTaskKind, TaskOutcome } from "./evals-types";

export * from "./evals-types";

/**
 * Eval runs in the tenant's database. An eval's work is tasks with stable ids — one per (question,
 * model) answer, then one per judge unit (faithfulness, relevancy: per answer and repeat; pairwise:
 * per candidate answer, incumbent answer and repeat) — each written once: a task leaves `pending`
 * once, so a redelivered message finds it done and writes nothing. Follow-up tasks are created by
 * the finish that makes their inputs complete (INSERT OR IGNORE), in the same transaction.
 */

/** No task seen for this long: the eval's messages were lost, and the sweeper queues its pending tasks again. */
export const EVAL_LEASE_MS = 10 * 60_000;
/** Evals in these states hold work (a lease, the sweeper's index). */
export const EVAL_IN_FLIGHT = ["running", "reporting"] as const;

export interface EvalRecord {
  id: string;
  dataset_id: string;
  status: EvalStatus;
  config: EvalConfig;
  job_id: string | null;
  questions: number;
  tasks_total: number;
  tasks_done: number;
  tasks_failed: number;
  cost_micros: number;
  estimate: EvalEstimate;
  decision: Record<string, unknown> | null;
  report_key: string | null;
  error: string | null;
  request_id: string;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

const evalRow = rowOf<EvalRecord>()({
  id: text,
  dataset_id: text,
  status: oneOf<EvalStatus>(),
  config: json<EvalConfig>(),
  job_id: textOrNull,
  questions: num,
  tasks_total: num,
  tasks_done: num,
  tasks_failed: num,
  cost_micros: num,
  estimate: json<EvalEstimate>(),
  decision: jsonOrNull<Record<string, unknown>>(),
  report_key: textOrNull,
  error: textOrNull,
  request_id: text,
  created_at: text,
  updated_at: text,
  finished_at: textOrNull,
});

/** A task as the report reads it: no full result, only what is summed and averaged. */
export interface TaskScore {
  id: string;
  kind: EvalTaskKind;
  row_id: string;
  model: number;
  rep: number;
  state: "pending" | "done" | "failed";
  score: number | null;
  undetermined: string | null;
  extra: Record<string, unknown> | null;
  cost_micros: number;
}

const scoreFields = {
  id: text,
  kind: oneOf<EvalTaskKind>(),
  row_id: text,
  model: num,
  rep: num,
  state: oneOf<TaskScore["state"]>(),
  score: numOrNull,
  undetermined: textOrNull,
  extra: jsonOrNull<Record<string, unknown>>(),
  cost_micros: num,
};
const scoreRow = rowOf<TaskScore>()(scoreFields);

export interface EvalTask extends TaskScore {
  result: Record<string, unknown> | null;
}

const taskRow = rowOf<EvalTask>()({
  ...scoreFields,
  result: jsonOrNull<Record<string, unknown>>(),
});

/** Task ids: stable, so every delivery of one unit of work names the same row. */
export const taskId = {
  answer: (row: string, model: number) => `a:${row}:${model}`,
  faithfulness: (row: string, model: number, rep: number) => `f:${row}:${model}:${rep}`,
  answer_relevancy: (row: string, model: number, rep: number) => `r:${row}:${model}:${rep}`,
  pairwise: (row: string, model: number, rep: number) => `p:${row}:${model}:${rep}`,
};

/** The dataset rows an eval of this snapshot asks: its eval split's labeled rows, in order, at most `max`. */
export function evalQuestionRows(sql: SqlStorage, snapshot: DatasetRecord, max: number): Array<{ id: string; tokens: number | null }> {
  const of = rowsOf(snapshot);
  return sql
    .exec<{ id: string; tokens: number | null }>(
      `SELECT id, tokens FROM dataset_rows WHERE dataset_id = ? AND (? IS NULL OR rowid <= ?) AND split = 'eval' AND status = 'labeled'
       AND example IS NOT NULL ORDER BY rowid LIMIT ?`,
      of.id,
      of.through,
      of.through,
      max,
    )
    .toArray();
}

/** The snapshot an eval may run on, or the 4xx saying why not. */
export function evalSnapshot(sql: SqlStorage, idOrName: string): DatasetRecord {
  const d = getDataset(sql, idOrName);
  if (!d) throw new ApiError("not_found", `No dataset ${idOrName}.`);
  if (!d.snapshot_of) {
    throw new ApiError("bad_request", `Dataset ${d.id} is not a snapshot: evaluate one of its snapshots (POST /api/datasets/${d.id}/freeze makes one), so the questions never change under the eval.`, {
      details: { dataset: d.id },
    });
  }
  if (d.status !== "ready") throw new ApiError("bad_request", `Snapshot ${d.id} is ${d.status}, not ready.`, { details: { dataset: d.id, status: d.status } });
  return d;
}

/** The teacher's answers the quality filters rejected among the snapshot's eval-split questions. */
export function teacherRejections(sql: SqlStorage, snapshot: DatasetRecord): { rejected: number; considered: number } {
  const of = rowsOf(snapshot);
  const r = sql
    .exec<{ rejected: number; considered: number }>(
      `SELECT COALESCE(SUM(status = 'rejected'), 0) AS rejected, COALESCE(SUM(status IN ('rejected', 'labeled')), 0) AS considered
       FROM dataset_rows WHERE dataset_id = ? AND (? IS NULL OR rowid <= ?) AND split = 'eval'`,
      of.id,
      of.through,
      of.through,
    )
    .one();
  return { rejected: r.rejected, considered: r.considered };
}

export interface NewEval {
  id: string;
  dataset_id: string;
  config: EvalConfig;
  job_id: string | null;
  estimate: EvalEstimate;
  max_questions: number;
  request_id: string;
}

/** Creates an eval with its questions and answer tasks; a repeat of the id returns the eval as it is. */
export function createEval(sql: SqlStorage, e: NewEval): { created: boolean; eval: EvalRecord; tasks: string[] } {
  const existing = getEval(sql, e.id);
  if (existing) return { created: false, eval: existing, tasks: [] };
  const snapshot = evalSnapshot(sql, e.dataset_id);
  const rows = evalQuestionRows(sql, snapshot, e.max_questions);
  if (rows.length === 0) throw new ApiError("bad_request", `Snapshot ${snapshot.id} has no labeled eval-split rows to evaluate on.`, { details: { dataset: snapshot.id } });
  const now = nowIso();
  const tasks: string[] = [];
  rows.forEach((r, seq) => {
    sql.exec("INSERT INTO eval_questions (eval_id, seq, row_id) VALUES (?, ?, ?)", e.id, seq, r.id);
    e.config.models.forEach((_, m) => {
      const id = taskId.answer(r.id, m);
      sql.exec("INSERT INTO eval_tasks (eval_id, id, kind, row_id, model, rep, state, updated_at) VALUES (?, ?, 'answer', ?, ?, 0, 'pending', ?)", e.id, id, r.id, m, now);
      tasks.push(id);
    });
  });
  sql.exec(
    `INSERT INTO evals (id, dataset_id, status, config, job_id, questions, tasks_total, estimate, request_id, lease_until, created_at, updated_at)
     VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    e.id, snapshot.id, JSON.stringify(e.config), e.job_id, rows.length, tasks.length, JSON.stringify(e.estimate), e.request_id, nowMs() + EVAL_LEASE_MS, now, now,
  );
  return { created: true, eval: getEval(sql, e.id)!, tasks };
}

export function getEval(sql: SqlStorage, id: string): EvalRecord | null {
  return first(evalRow, sql, "SELECT * FROM evals WHERE id = ?", id);
}

export function evalByJob(sql: SqlStorage, jobId: string): EvalRecord | null {
  return first(evalRow, sql, "SELECT * FROM evals WHERE job_id = ? ORDER BY created_at LIMIT 1", jobId);
}

/** Newest first, keyset-paged by eval id. */
export function listEvals(sql: SqlStorage, q: PageQuery & { status?: string }): { data: EvalRecord[]; has_more: boolean } {
  const page = keysetPage(
    sql,
    {
      select: "SELECT rowid AS _key, * FROM evals",
      where: q.status ? ["status = ?"] : [],
      args: q.status ? [q.status] : [],
      key: "rowid",
      order: "desc",
      cursor: keyOf(sql, "SELECT rowid AS _key FROM evals WHERE id = ?"),
      noun: "eval",
    },
    q,
  );
  return { data: page.rows.map(evalRow), has_more: page.has_more };
}

/** What a task's run needs: the eval's config, its row, and the answers a judge task reads. */
export interface BegunTask {
  eval: Pick<EvalRecord, "id" | "dataset_id" | "config" | "request_id">;
  task: EvalTask;
  row: RowRecord;
  /** For judge tasks: the answer results they judge, by model index. */
  answers: Record<number, Record<string, unknown>>;
}

export type Begin = { go: true; begun: BegunTask } | { go: false; why: "done" | "stopped" | "unknown" | "capped" };

/**
 * Begins a task: nothing when it is done, its eval stopped, or the cost cap would be passed by this
 * task's estimate on top of what is spent and reserved (the eval then stops, `cost_capped`); else the
 * estimate is reserved (so concurrent tasks cannot overshoot together) and the lease renewed.
 */
export function beginTask(sql: SqlStorage, evalId: string, id: string): Begin {
  const e = sql.exec<{ status: string; config: string; cost_micros: number; reserved_micros: number; dataset_id: string; request_id: string }>(
    "SELECT status, config, cost_micros, reserved_micros, dataset_id, request_id FROM evals WHERE id = ?", evalId,
  ).toArray()[0];
  if (!e) return { go: false, why: "unknown" };
  if (e.status !== "running") return { go: false, why: "stopped" };
  const task = first(taskRow, sql, "SELECT * FROM eval_tasks WHERE eval_id = ? AND id = ?", evalId, id);
  if (!task) return { go: false, why: "unknown" };
  if (task.state !== "pending") return { go: false, why: "done" };
  const config = JSON.parse(e.config) as EvalConfig;
  const estimateMicros = config.task_estimate_micros[task.kind] ?? 0;
  const now = nowIso();
  if (config.max_cost_usd !== null) {
    const cap = Math.round(config.max_cost_usd * 1_000_000);
    if (e.cost_micros + e.reserved_micros + estimateMicros > cap) {
      const spent = (e.cost_micros / 1e6).toFixed(6);
      sql.exec(
        "UPDATE evals SET status = 'cost_capped', error = ?, lease_until = NULL, reserved_micros = 0, updated_at = ?, finished_at = ? WHERE id = ?",
        `Stopped by max_cost_usd (${config.max_cost_usd}): $${spent} spent, and the next call would pass the cap.`, now, now, evalId,
      );
      return { go: false, why: "capped" };
    }
  }
  sql.exec("UPDATE evals SET reserved_micros = reserved_micros + ?, lease_until = ?, updated_at = ? WHERE id = ?", estimateMicros, nowMs() + EVAL_LEASE_MS, now, evalId);
  sql.exec("UPDATE eval_tasks SET attempts = attempts + 1 WHERE eval_id = ? AND id = ?", evalId, id);
  const row = getRow(sql, task.row_id);
  if (!row) return { go: false, why: "unknown" };
  const answers: Record<number, Record<string, unknown>> = {};
  if (task.kind !== "answer") {
    const wanted = task.kind === "pairwise" ? [0, task.model] : [task.model];
    for (const m of wanted) {
      const a = first(taskRow, sql, "SELECT * FROM eval_tasks WHERE eval_id = ? AND id = ?", evalId, taskId.answer(task.row_id, m));
      if (a?.result) answers[m] = a.result;
    }
  }
  return { go: true, begun: { eval: { id: evalId, dataset_id: e.dataset_id, config, request_id: e.request_id }, task, row, answers } };
}

/**
 * Writes a task's outcome once (a task no longer pending writes nothing: `written: false`), adds its
 * cost, releases its reservation, creates the judge tasks its answer makes possible, and, when no
 * task is left, moves the eval to `reporting` (once: `complete` is true for that one call only).
 */
export function finishTask(sql: SqlStorage, evalId: string, id: string, out: TaskOutcome): { written: boolean; follow: string[]; complete: boolean } {
  const task = first(scoreRow, sql, "SELECT id, kind, row_id, model, rep, state, score, undetermined, extra, cost_micros FROM eval_tasks WHERE eval_id = ? AND id = ?", evalId, id);
  const e = getEval(sql, evalId);
  if (!task || !e || task.state !== "pending") return { written: false, follow: [], complete: false };
  const estimateMicros = e.config.task_estimate_micros[task.kind] ?? 0;
  const now = nowIso();
  sql.exec(
    "UPDATE eval_tasks SET state = ?, score = ?, undetermined = ?, extra = ?, result = ?, cost_micros = ?, updated_at = ? WHERE eval_id = ? AND id = ?",
    out.failed ? "failed" : "done", out.score, out.undetermined, out.extra ? JSON.stringify(out.extra) : null, JSON.stringify(out.result), out.cost_micros, now, evalId, id,
  );
  const follow = out.failed || task.kind !== "answer" || e.status !== "running" ? [] : followUps(sql, e, task, now);
  sql.exec(
    `UPDATE evals SET cost_micros = cost_micros + ?, reserved_micros = MAX(0, reserved_micros - ?), tasks_done = tasks_done + ?, tasks_failed = tasks_failed + ?,
     tasks_total = tasks_total + ?, lease_until = ?, updated_at = ? WHERE id = ?`,
    out.cost_micros, estimateMicros, out.failed ? 0 : 1, out.failed ? 1 : 0, follow.length, nowMs() + EVAL_LEASE_MS, now, evalId,
  );
  const after = getEval(sql, evalId)!;
  const complete = after.status === "running" && after.tasks_done + after.tasks_failed >= after.tasks_total;
  if (complete) sql.exec("UPDATE evals SET status = 'reporting', reserved_micros = 0, lease_until = ?, updated_at = ? WHERE id = ?", nowMs() + EVAL_LEASE_MS, now, evalId);
  return { written: true, follow, complete };
}

/** A task that will be retried gives its reservation back (its next begin reserves again). */
export function releaseTask(sql: SqlStorage, evalId: string, id: string): void {
  const kind = sql.exec<{ kind: EvalTaskKind }>("SELECT kind FROM eval_tasks WHERE eval_id = ? AND id = ?", evalId, id).toArray()[0]?.kind;
  const e = getEval(sql, evalId);
  if (!kind || !e) return;
  sql.exec("UPDATE evals SET reserved_micros = MAX(0, reserved_micros - ?) WHERE id = ?", e.config.task_estimate_micros[kind] ?? 0, evalId);
}

/** Pending task ids of a running eval (tests drain an eval with them; the sweeper uses `takeStalledEvals`). */
export function pendingTasks(sql: SqlStorage, evalId: string, limit: number): string[] {
  return sql.exec<{ id: string }>("SELECT t.id FROM eval_tasks t JOIN evals e ON e.id = t.eval_id WHERE t.eval_id = ? AND t.state = 'pending' AND e.status = 'running' LIMIT ?", evalId, limit).toArray().map((r) => r.id);
}

/** The judge tasks a finished answer makes possible (pairwise once both the candidate's and the incumbent's answers are in). */
function followUps(sql: SqlStorage, e: EvalRecord, answer: TaskScore, now: string): string[] {
  const { metrics, repeats, models } = e.config;
  const made: string[] = [];
  const add = (kind: Exclude<EvalTaskKind, "answer">, model: number, rep: number) => {
    const id = taskId[kind](answer.row_id, model, rep);
    const inserted = sql.exec(
      "INSERT OR IGNORE INTO eval_tasks (eval_id, id, kind, row_id, model, rep, state, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)",
      e.id, id, kind, answer.row_id, model, rep, now,
    ).rowsWritten;
    if (inserted > 0) made.push(id);
  };
  const answered = (m: number) =>
    sql.exec("SELECT 1 FROM eval_tasks WHERE eval_id = ? AND id = ? AND state = 'done'", e.id, taskId.answer(answer.row_id, m)).toArray().length > 0;
  for (let rep = 0; rep < repeats; rep++) {
    if (metrics.includes("faithfulness")) add("faithfulness", answer.model, rep);
    if (metrics.includes("answer_relevancy")) add("answer_relevancy", answer.model, rep);
    if (!metrics.includes("pairwise")) continue;
    if (answer.model === 0) {
      for (let m = 1; m < models.length; m++) if (answered(m)) add("pairwise", m, rep);
    } else if (answered(0)) add("pairwise", answer.model, rep);
  }
  return made;
}

/** Cancels a running eval: its pending tasks are never begun (a message for one finds it stopped). */
export function cancelEval(sql: SqlStorage, id: string): EvalRecord {
  const e = getEval(sql, id);
  if (!e) throw new ApiError("not_found", `No eval ${id}.`);
  if (e.status === "cancelled") return e;
  if (e.status !== "running") throw new ApiError("conflict", `Eval ${id} is ${e.status}; only a running eval can be cancelled.`, { details: { status: e.status } });
  const now = nowIso();
  sql.exec("UPDATE evals SET status = 'cancelled', lease_until = NULL, reserved_micros = 0, updated_at = ?, finished_at = ? WHERE id = ?", now, now, id);
  return getEval(sql, id)!;
}

/** Deletes an eval and its tasks; returns the R2 key of its report (the caller deletes the files). */
export function deleteEval(sql: SqlStorage, id: string): { id: string; report_key: string | null } {
  const e = getEval(sql, id);
  if (!e) throw new ApiError("not_found", `No eval ${id}.`);
  sql.exec("DELETE FROM eval_tasks WHERE eval_id = ?", id);
  sql.exec("DELETE FROM eval_questions WHERE eval_id = ?", id);
  sql.exec("DELETE FROM evals WHERE id = ?", id);
  return { id, report_key: e.report_key };
}

/** Every task's score (no full results), for the report. */
export function taskScores(sql: SqlStorage, evalId: string): TaskScore[] {
  return all(scoreRow, sql, "SELECT id, kind, row_id, model, rep, state, score, undetermined, extra, cost_micros FROM eval_tasks WHERE eval_id = ?", evalId);
}

/** The eval's questions in order, a page at a time, each with its row and every task's full result. */
export function questionPage(sql: SqlStorage, evalId: string, q: PageQuery): { data: Array<{ seq: number; row: RowRecord; tasks: EvalTask[] }>; has_more: boolean } {
  const page = keysetPage(
    sql,
    {
      select: "SELECT seq AS _key, seq, row_id FROM eval_questions",
      where: ["eval_id = ?"],
      args: [evalId],
      key: "seq",
      order: "asc",
      cursor: keyOf(sql, "SELECT seq AS _key FROM eval_questions WHERE row_id = ? AND eval_id = ?", evalId),
      noun: "question",
    },
    q,
  );
  const data = page.rows.flatMap((r) => {
    const row = getRow(sql, r.row_id as string);
    if (!row) return [];
    const tasks = all(taskRow, sql, "SELECT * FROM eval_tasks WHERE eval_id = ? AND row_id = ? ORDER BY id", evalId, row.id);
    return [{ seq: r.seq as number, row, tasks }];
  });
  return { data, has_more: page.has_more };
}

/** Moves a reporting eval to its end with its decision and report (a repeat keeps the first). */
export function completeEval(sql: SqlStorage, id: string, decision: unknown, reportKey: string): EvalRecord {
  const now = nowIso();
  sql.exec(
    "UPDATE evals SET status = 'completed', decision = ?, report_key = ?, lease_until = NULL, updated_at = ?, finished_at = COALESCE(finished_at, ?) WHERE id = ? AND status = 'reporting'",
    JSON.stringify(decision), reportKey, now, now, id,
  );
  const e = getEval(sql, id);
  if (!e) throw new ApiError("not_found", `No eval ${id}.`);
  return e;
}

/** A stalled eval the sweeper took: its pending tasks to queue again, or its report to write. */
export interface TakenEval {
  id: string;
  status: string;
  action: "resume" | "gave_up";
  pending: string[];
  request_id: string;
}

/**
 * Evals running or reporting past their lease: each renewed (two sweeps never take one twice) with
 * its reservations released (the tasks that held them were lost) and its pending tasks listed; past
 * `maxRecoveries` it fails, saying why.
 */
export function takeStalledEvals(sql: SqlStorage, at: number, limit: number, taskLimit: number, maxRecoveries: number): TakenEval[] {
  const rows = sql
    .exec<{ id: string; status: string; recoveries: number; request_id: string }>(
      "SELECT id, status, recoveries, request_id FROM evals WHERE status IN ('running', 'reporting') AND COALESCE(lease_until, 0) <= ? LIMIT ?", at, limit,
    )
    .toArray();
  return rows.map((r) => {
    if (r.recoveries >= maxRecoveries) {
      const now = nowIso();
      sql.exec("UPDATE evals SET status = 'failed', error = ?, lease_until = NULL, updated_at = ?, finished_at = ? WHERE id = ?",
        `abandoned: its work was lost ${r.recoveries} times (the sweeper resumed it each time)`, now, now, r.id);
      return { id: r.id, status: r.status, action: "gave_up" as const, pending: [], request_id: r.request_id };
    }
    sql.exec("UPDATE evals SET recoveries = recoveries + 1, reserved_micros = 0, lease_until = ? WHERE id = ?", at + EVAL_LEASE_MS, r.id);
    const pending = sql.exec<{ id: string }>("SELECT id FROM eval_tasks WHERE eval_id = ? AND state = 'pending' LIMIT ?", r.id, taskLimit).toArray().map((t) => t.id);
    return { id: r.id, status: r.status, action: "resume" as const, pending, request_id: r.request_id };
  });
}
