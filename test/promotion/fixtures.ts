import type { EvalReport, ModelReport } from "../../src/evals/runs/report";

const summary = (mean: number | null, n = 40) => ({ mean, interval: mean === null ? null : { low: mean - 0.05, high: mean + 0.05 }, n_scored: n, n_undetermined: 0 });
const paired = (difference: number, low: number, n = 40) => ({ difference, interval: { low, high: difference + (difference - low) }, n_pairs: n, n_unpaired: 0 });

function model(m: string, role: "incumbent" | "candidate", extra: Partial<ModelReport> = {}): ModelReport {
  return {
    model: m,
    role,
    answered: 40,
    failed: 0,
    metrics: { schema_validity: summary(role === "incumbent" ? 0.97 : 1) as never, faithfulness: summary(0.9) as never },
    paired_vs_incumbent: role === "incumbent" ? null : ({ schema_validity: paired(0.03, 0.01), faithfulness: paired(0.04, 0.01) } as never),
    paired_vs_base: null,
    pairwise_vs_incumbent: role === "incumbent" ? null : { wins: 20, losses: 5, ties: 15, n_undetermined: 0, mean: 0.69, interval: null },
    latency_ms: { p50: 100, p95: 200 },
    usage: { prompt_tokens: 0, completion_tokens: 0, calls: 0 },
    cost_usd: 0,
    cost_per_1k_answers_usd: null,
    ...extra,
  };
}

/** A finished eval's report in which `candidate` beats `incumbent` on every condition of the default rule. */
export function winningReport(evalId: string, incumbent: string, candidate: string, extra: ModelReport[] = []): EvalReport {
  return {
    object: "eval.report",
    eval_id: evalId,
    dataset_id: "snap_x",
    status: "reporting",
    questions: 40,
    incumbent,
    models: [model(incumbent, "incumbent"), ...extra, model(candidate, "candidate")],
    judge: { model: "judge", repeats: 1, position_flip_rate: 0, flipped: 0, decisive: 25, cost_usd: 0 },
    reference: { statement: "", teacher_rejection_rate: 0, rejected: 0, considered: 40 },
    cost_usd: 0,
    decision: null,
    generated_at: 0,
  };
}

export { model as modelReport };
