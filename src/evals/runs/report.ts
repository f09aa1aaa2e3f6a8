import type { Interval, MetricSummary, PairedSummary } from "../stats";
import type { EvalDecision } from "./decision";

/** The metrics an eval run can score; `pairwise` compares each candidate with the incumbent. */
export const EVAL_METRICS = ["faithfulness", "answer_relevancy", "schema_validity", "agreement", "exact_match", "pairwise"] as const;
export type EvalMetric = (typeof EVAL_METRICS)[number];
/** The metrics scored per model on their own (pairwise is per candidate, against the incumbent). */
export type ModelMetric = Exclude<EvalMetric, "pairwise">;

/** A model's role in an eval: the incumbent the candidates are compared with, or a candidate. */
export type EvalRole = "incumbent" | "candidate";

/** Pairwise preference of a candidate over the incumbent, asked in both orders (a win holds in both). */
export interface PairwiseSummary {
  wins: number;
  losses: number;
  ties: number;
  n_undetermined: number;
  /** Mean score (win 1, tie 0.5, loss 0) with its 95% interval; null when nothing was scored. */
  mean: number | null;
  interval: Interval | null;
}

export interface ModelReport {
  model: string;
  role: EvalRole;
  /** Questions answered (an answer whose call failed for good counts in `failed`). */
  answered: number;
  failed: number;
  /** Per metric: mean, 95% interval, n scored, n undetermined. */
  metrics: Partial<Record<ModelMetric, MetricSummary>>;
  /** Paired difference (this model − incumbent) per metric over the questions both scored; null for the incumbent. */
  paired_vs_incumbent: Partial<Record<ModelMetric, PairedSummary>> | null;
  /** Null for the incumbent, or when pairwise was not asked. */
  pairwise_vs_incumbent: PairwiseSummary | null;
  latency_ms: { p50: number | null; p95: number | null };
  /** From recorded usage at the catalog's prices (the model's answers only; judge calls are in `judge`). */
  usage: { prompt_tokens: number; completion_tokens: number; calls: number };
  cost_usd: number;
  cost_per_1k_answers_usd: number | null;
}

/** An eval's report: what a decision reads, and what a person audits. */
export interface EvalReport {
  object: "eval.report";
  eval_id: string;
  dataset_id: string;
  status: string;
  /** Questions of the eval split evaluated. */
  questions: number;
  incumbent: string;
  models: ModelReport[];
  judge: {
    model: string;
    repeats: number;
    /** Of the pairwise comparisons where either order was decisive, the share whose two orders disagreed. */
    position_flip_rate: number | null;
    flipped: number;
    decisive: number;
    cost_usd: number;
  };
  /** Stated plainly: what the reference is, and how often the teacher's answers to these questions were rejected. */
  reference: {
    statement: string;
    /** Share of the snapshot's eval-split questions whose teacher answer the quality filters rejected. */
    teacher_rejection_rate: number | null;
    rejected: number;
    considered: number;
  };
  cost_usd: number;
  decision: EvalDecision | null;
  generated_at: number;
}
