import type { PageQuery } from "../../keyset";
import type { RowRecord } from "../datasets";
import {
  beginTask,
  cancelEval,
  completeEval,
  createEval,
  deleteEval,
  evalByJob,
  evalQuestionRows,
  evalSnapshot,
  finishTask,
  getEval,
  listEvals,
  pendingTasks,
  questionPage,
  releaseTask,
  takeStalledEvals,
  taskScores,
  teacherRejections,
  type Begin,
  type EvalPlan,
  type EvalRecord,
  type EvalTask,
  type NewEval,
  type TakenEval,
  type TaskOutcome,
  type TaskScore,
} from "../evals";
import { MAX_RECOVERIES, registerInFlight } from "../recovery";
import { ApiError } from "../../../errors";
import { Surface, surface } from "./surface";


/** Eval runs: create, begin and finish their tasks (each written once), read, cancel, delete. */
export class EvalsSurface extends Surface {
  /** The snapshot's eval-split questions an eval would ask (a 4xx when it is not a ready snapshot with an eval split). */
  plan(dataset: string, maxQuestions: number): EvalPlan {
    const snapshot = evalSnapshot(this.sql, dataset);
    const rows = evalQuestionRows(this.sql, snapshot, maxQuestions);
    if (rows.length === 0) throw new ApiError("bad_request", `Snapshot ${snapshot.id} has no labeled eval-split rows to evaluate on.`, { details: { dataset: snapshot.id } });
    const tokens = rows.reduce((s, r) => s + (r.tokens ?? 0), 0);
    return { dataset_id: snapshot.id, questions: rows.length, tokens, ...teacherRejections(this.sql, snapshot) };
  }

  /** Creates the eval and its answer tasks (the ids to queue); a repeat of the id changes nothing. */
  async create(e: NewEval): Promise<{ created: boolean; eval: EvalRecord; tasks: string[] }> {
    const made = createEval(this.sql, e);
    // Until it completes, the eval is in flight: the sweeper looks after it.
    if (made.created) await registerInFlight(this.sql, this.env.TENANTS);
    return made;
  }

  get(id: string): EvalRecord {
    const e = getEval(this.sql, id);
    if (!e) throw new ApiError("not_found", `No eval ${id}.`);
    return e;
  }

  /** Whether a running eval has `model` among its models (a deployment serving it is then not unused). */
  underEvaluation(model: string): boolean {
    return (
      this.sql
        .exec(
          `SELECT 1 FROM evals, json_each(evals.config, '$.models') m
           WHERE evals.status IN ('running', 'reporting') AND json_extract(m.value, '$.id') = ? LIMIT 1`,
          model,
        )
        .toArray().length > 0
    );
  }

  /** The eval a job started, if any. */
  ofJob(jobId: string): EvalRecord | null {
    return evalByJob(this.sql, jobId);
  }

  list(q: PageQuery & { status?: string }): { data: EvalRecord[]; has_more: boolean } {
    return listEvals(this.sql, q);
  }

  /** Begins a task: nothing when done or its eval stopped (or the cost cap stops it now); else its inputs, with its estimate reserved. */
  begin(evalId: string, taskId: string): Begin {
    return beginTask(this.sql, evalId, taskId);
  }

  /** Writes a task's outcome once; returns the follow-up tasks to queue and whether the eval is now complete. */
  finish(evalId: string, taskId: string, out: TaskOutcome): { written: boolean; follow: string[]; complete: boolean } {
    return finishTask(this.sql, evalId, taskId, out);
  }

  /** A task to be retried gives back its reservation. */
  release(evalId: string, taskId: string): void {
    releaseTask(this.sql, evalId, taskId);
  }

  pending(evalId: string, limit: number): string[] {
    return pendingTasks(this.sql, evalId, limit);
  }

  scores(evalId: string): { eval: EvalRecord; tasks: TaskScore[]; rejected: number; considered: number } {
    const e = this.get(evalId);
    const snapshot = evalSnapshot(this.sql, e.dataset_id);
    return { eval: e, tasks: taskScores(this.sql, evalId), ...teacherRejections(this.sql, snapshot) };
  }

  questions(evalId: string, q: PageQuery): { data: Array<{ seq: number; row: RowRecord; tasks: EvalTask[] }>; has_more: boolean } {
    this.get(evalId);
    return questionPage(this.sql, evalId, q);
  }

  complete(evalId: string, decision: unknown, reportKey: string): EvalRecord {
    return completeEval(this.sql, evalId, decision, reportKey);
  }

  cancel(id: string): EvalRecord {
    return cancelEval(this.sql, id);
  }

  delete(id: string): { id: string; report_key: string | null } {
    return deleteEval(this.sql, id);
  }

  /** For the sweeper: evals past their lease, taken (renewed), with their pending tasks. */
  stalled(at: number, limit: number, taskLimit: number): TakenEval[] {
    return takeStalledEvals(this.sql, at, limit, taskLimit, MAX_RECOVERIES);
  }
}
surface(EvalsSurface, "evals");
