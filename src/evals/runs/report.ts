import type { EvalConfig } from "../../durable/tenant/evals-types";
import { roundUsd, usdOf } from "../../lib/money";
import { pairedDifference, quantileSorted, summarize, type Interval, type MetricSummary, type PairedSummary, type Score } from "../stats";
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
  /** For a candidate whose base model is in the eval too: the paired difference (this model − its base) per metric. */
  paired_vs_base: { base: string; metrics: Partial<Record<ModelMetric, PairedSummary>> } | null;
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

/** What a report is built from: the eval's record and every task's score (src/durable/tenant/evals.ts). */
export interface ReportInput {
  eval: {
    id: string;
    dataset_id: string;
    status: string;
    questions: number;
    cost_micros: number;
    config: EvalConfig;
  };
  tasks: readonly TaskScoreLike[];
  rejected: number;
  considered: number;
  /** Unix seconds the report is made at (the clock seam's). */
  at: number;
}

export interface TaskScoreLike {
  kind: string;
  row_id: string;
  model: number;
  state: string;
  score: number | null;
  extra: Record<string, unknown> | null;
  cost_micros: number;
}

const PER_MODEL: Array<{ metric: ModelMetric; from: "extra" | "judge"; key: string }> = [
  { metric: "faithfulness", from: "judge", key: "faithfulness" },
  { metric: "answer_relevancy", from: "judge", key: "answer_relevancy" },
  { metric: "schema_validity", from: "extra", key: "schema_validity" },
  { metric: "agreement", from: "extra", key: "agreement" },
  { metric: "exact_match", from: "extra", key: "exact_match" },
];

/** Per question, the mean of its scored repeats (null when none scored or its answer failed). */
function scoresByRow(input: ReportInput, model: number, spec: (typeof PER_MODEL)[number] | { from: "judge"; key: "pairwise" }): Map<string, Score> {
  const out = new Map<string, Score>();
  const sums = new Map<string, { s: number; n: number }>();
  for (const t of input.tasks) {
    if (t.model !== model) continue;
    if (spec.from === "extra") {
      if (t.kind !== "answer") continue;
      const v = t.state === "done" ? t.extra?.[spec.key] : null;
      out.set(t.row_id, typeof v === "number" ? v : null);
      continue;
    }
    if (t.kind !== spec.key) continue;
    const acc = sums.get(t.row_id) ?? { s: 0, n: 0 };
    if (t.state === "done" && typeof t.score === "number") (acc.s += t.score), acc.n++;
    sums.set(t.row_id, acc);
  }
  for (const [row, { s, n }] of sums) out.set(row, n ? s / n : null);
  return out;
}

/** Seeds name the metric and models, not the eval: the same scores give the same report, whichever run made them. */
const seedFor = (_evalId: string, ...parts: Array<string | number>) => parts.join(":");

/**
 * The report: per model and metric the mean with its seeded 95% bootstrap interval, n scored and n
 * undetermined; each candidate's paired differences against the incumbent (and against its base
 * when the base was evaluated too); pairwise wins; latency; cost per 1k answers; the judge's
 * position-flip rate; and what the reference is. Pure, so it is recomputed the same from the same tasks.
 */
export function buildReport(input: ReportInput): EvalReport {
  const { config } = input.eval;
  const metrics = PER_MODEL.filter((p) => (config.metrics as readonly string[]).includes(p.metric));
  const byModel = config.models.map((_, m) => new Map(metrics.map((p) => [p.metric, scoresByRow(input, m, p)])));
  const paired = (a: number, b: number) =>
    Object.fromEntries(metrics.map((p) => [p.metric, pairedDifference(byModel[a]!.get(p.metric)!, byModel[b]!.get(p.metric)!, { seed: seedFor(input.eval.id, p.metric, a, b) })]));
  let judgeMicros = 0;
  let flipped = 0;
  let decisive = 0;
  for (const t of input.tasks) {
    if (t.kind !== "answer") judgeMicros += t.cost_micros;
    if (t.kind === "pairwise" && t.state === "done" && t.extra?.decisive === true) {
      decisive++;
      if (t.extra.flipped === true) flipped++;
    }
  }
  const models: ModelReport[] = config.models.map((ref, m) => {
    const answers = input.tasks.filter((t) => t.kind === "answer" && t.model === m);
    const done = answers.filter((t) => t.state === "done");
    const latencies = done.map((t) => Number(t.extra?.latency_ms ?? 0)).sort((a, b) => a - b);
    const usage = { prompt_tokens: 0, completion_tokens: 0, calls: 0 };
    let micros = 0;
    for (const t of done) {
      usage.prompt_tokens += Number(t.extra?.prompt_tokens ?? 0);
      usage.completion_tokens += Number(t.extra?.completion_tokens ?? 0);
      usage.calls += Number(t.extra?.calls ?? 0);
    }
    for (const t of answers) micros += t.cost_micros;
    const baseIndex = ref.base_model ? config.models.findIndex((r) => r.id === ref.base_model) : -1;
    let pairwise: PairwiseSummary | null = null;
    if (m > 0 && config.metrics.includes("pairwise")) {
      const rows = scoresByRow(input, m, { from: "judge", key: "pairwise" });
      const s = summarize([...rows.values()], { seed: seedFor(input.eval.id, "pairwise", m) });
      const scored = [...rows.values()].filter((v): v is number => v !== null);
      pairwise = {
        wins: scored.filter((v) => v > 0.5).length,
        losses: scored.filter((v) => v < 0.5).length,
        ties: scored.filter((v) => v === 0.5).length,
        n_undetermined: s.n_undetermined,
        mean: s.mean,
        interval: s.interval,
      };
    }
    return {
      model: ref.id,
      role: m === 0 ? "incumbent" : "candidate",
      answered: done.length,
      failed: answers.filter((t) => t.state === "failed").length,
      metrics: Object.fromEntries(metrics.map((p) => [p.metric, summarize([...byModel[m]!.get(p.metric)!.values()], { seed: seedFor(input.eval.id, p.metric, m) })])),
      paired_vs_incumbent: m === 0 ? null : paired(m, 0),
      paired_vs_base: baseIndex > 0 && baseIndex !== m ? { base: ref.base_model!, metrics: paired(m, baseIndex) } : null,
      pairwise_vs_incumbent: pairwise,
      latency_ms: { p50: latencies.length ? Math.round(quantileSorted(latencies, 0.5)) : null, p95: latencies.length ? Math.round(quantileSorted(latencies, 0.95)) : null },
      usage,
      cost_usd: usdOf(micros),
      cost_per_1k_answers_usd: done.length ? roundUsd((usdOf(micros) / done.length) * 1000) : null,
    };
  });
  const rate = input.considered ? input.rejected / input.considered : null;
  return {
    object: "eval.report",
    eval_id: input.eval.id,
    dataset_id: input.eval.dataset_id,
    status: input.eval.status,
    questions: input.eval.questions,
    incumbent: config.models[0]!.id,
    models,
    judge: { model: config.judge_model, repeats: config.repeats, position_flip_rate: decisive ? flipped / decisive : null, flipped, decisive, cost_usd: usdOf(judgeMicros) },
    reference: {
      statement:
        "The reference is the teacher's stored answers, never asked again, and it holds only rows the quality filters passed: " +
        `of the ${input.considered} eval-split questions the teacher answered, ${input.rejected}` +
        (rate === null ? "" : ` (${(rate * 100).toFixed(1)}%)`) +
        " were rejected and are not in this eval, so agreement with the reference flatters no one on the questions the teacher got wrong.",
      teacher_rejection_rate: rate,
      rejected: input.rejected,
      considered: input.considered,
    },
    cost_usd: usdOf(input.eval.cost_micros),
    decision: null,
    generated_at: input.at,
  };
}

/** A CSV field: quoted when it must be, and a leading =, +, - or @ defused (spreadsheets run them as formulas). */
export function csvField(v: unknown): string {
  let s = v === null || v === undefined ? "" : typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : JSON.stringify(v);
  if (/^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?(e-?\d+)?$/i.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvLine = (fields: readonly unknown[]) => fields.map(csvField).join(",") + "\r\n";

/** The report as CSV: one line per model and metric (the paired difference against the incumbent beside it). */
export function reportCsv(r: EvalReport): string {
  let out = csvLine(["model", "role", "metric", "mean", "ci_low", "ci_high", "n", "n_undetermined", "diff_vs_incumbent", "diff_ci_low", "diff_ci_high", "p50_ms", "p95_ms", "cost_per_1k_answers_usd"]);
  for (const m of r.models) {
    for (const [metric, s] of Object.entries(m.metrics)) {
      const d = m.paired_vs_incumbent?.[metric as ModelMetric];
      out += csvLine([m.model, m.role, metric, s.mean, s.interval?.low, s.interval?.high, s.n_scored, s.n_undetermined, d?.difference, d?.interval?.low, d?.interval?.high, m.latency_ms.p50, m.latency_ms.p95, m.cost_per_1k_answers_usd]);
    }
    if (m.pairwise_vs_incumbent) {
      const p = m.pairwise_vs_incumbent;
      out += csvLine([m.model, m.role, "pairwise", p.mean, p.interval?.low, p.interval?.high, p.wins + p.losses + p.ties, p.n_undetermined, null, null, null, m.latency_ms.p50, m.latency_ms.p95, m.cost_per_1k_answers_usd]);
    }
  }
  return out;
}
