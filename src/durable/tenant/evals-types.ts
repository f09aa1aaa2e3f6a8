import { sha256Hex } from "../../lib/ids";

/** The shapes an eval run's records carry between the Tenant object and the eval code (src/evals/runs/). */

/**
 * `running` → `reporting` (every task finished; the report is being written) → `completed`;
 * or stopped: `cancelled`, `cost_capped` (max_cost_usd reached), `failed` (its work lost too often).
 */
export type EvalStatus = "running" | "reporting" | "completed" | "cancelled" | "cost_capped" | "failed";
export const EVAL_STATUSES = ["running", "reporting", "completed", "cancelled", "cost_capped", "failed"] as const;

export type EvalTaskKind = "answer" | "faithfulness" | "answer_relevancy" | "pairwise";

/** The metric names an eval may ask for (pairwise: each candidate against the incumbent). */
export type EvalMetricName = "faithfulness" | "answer_relevancy" | "schema_validity" | "agreement" | "exact_match" | "pairwise";

export interface EvalModelRef {
  /** The id callers use (a catalog id or a registered fine-tune). */
  id: string;
  /** Index 0 is the incumbent; the others are candidates. */
  role: "incumbent" | "candidate";
  /** For a registered fine-tune: its base's catalog id (how its entry and prices resolve). */
  base_model: string | null;
}

export interface EvalConfig {
  models: EvalModelRef[];
  judge_model: string;
  metrics: EvalMetricName[];
  repeats: number;
  max_cost_usd: number | null;
  /** Micro-dollars reserved per task kind before it runs (the estimate's), so the cap is checked before spending. */
  task_estimate_micros: Record<EvalTaskKind, number>;
}

export interface EvalEstimate {
  questions: number;
  calls: { answers: number; judge: number; embeddings: number };
  tokens: { input: number; output: number };
  cost_usd: number;
  cost_per_question_usd: number;
}

/** A task's outcome as the consumer hands it to the object. */
export interface TaskOutcome {
  /** The task gave up (a final provider error): counted, never scored. */
  failed: boolean;
  score: number | null;
  undetermined: string | null;
  /** Small per-task figures the report reads (validity, agreement, latency, usage; a pairwise verdict). */
  extra: Record<string, unknown> | null;
  /** Everything kept for audit and the rows view (output, contexts, judge records and explanations). */
  result: Record<string, unknown>;
  cost_micros: number;
}

/** The eval a job's `evaluate: true` starts: one id per job, whoever asks and however often. */
export async function jobEvalId(jobId: string): Promise<string> {
  return `ev_${(await sha256Hex(`job-eval:${jobId}`)).slice(0, 22)}`;
}

/** What planning an eval reads of its snapshot: the questions it would ask and their tokens, and the teacher's rejections. */
export interface EvalPlan {
  dataset_id: string;
  questions: number;
  tokens: number;
  rejected: number;
  considered: number;
}
