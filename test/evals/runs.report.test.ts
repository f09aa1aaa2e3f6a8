import { describe, expect, it } from "vitest";
import type { EvalConfig } from "../../src/durable/tenant/evals-types";
import { buildReport, csvField, reportCsv, type TaskScoreLike } from "../../src/evals/runs/report";

/* The report from constructed task scores: what each figure counts, pure (no workerd). */

const config: EvalConfig = {
  models: [
    { id: "teacher", role: "incumbent", base_model: null },
    { id: "student", role: "candidate", base_model: "base" },
    { id: "base", role: "candidate", base_model: null },
  ],
  judge_model: "judge",
  metrics: ["faithfulness", "schema_validity", "pairwise"],
  repeats: 2,
  max_cost_usd: null,
  task_estimate_micros: { answer: 1, faithfulness: 1, answer_relevancy: 1, pairwise: 1 },
};

function answer(row: string, model: number, validity: number | null, latency: number, state = "done"): TaskScoreLike {
  return { kind: "answer", row_id: row, model, state, score: null, extra: state === "done" ? { schema_validity: validity, latency_ms: latency, prompt_tokens: 10, completion_tokens: 5, calls: 1 } : null, cost_micros: 1000 };
}
const judge = (kind: string, row: string, model: number, score: number | null, extra: Record<string, unknown> | null = null): TaskScoreLike => ({ kind, row_id: row, model, state: "done", score, extra, cost_micros: 10 });

function input(tasks: TaskScoreLike[]) {
  return { eval: { id: "ev_x", dataset_id: "snap_x", status: "reporting", questions: 4, cost_micros: 12_345, config }, tasks, rejected: 1, considered: 5, at: 1 };
}

const rows = ["r1", "r2", "r3", "r4"];
const tasks: TaskScoreLike[] = [
  ...rows.map((r) => answer(r, 0, 1, 100)),
  ...rows.map((r, i) => answer(r, 1, i < 3 ? 1 : 0, 200 + i)),
  ...rows.map((r, i) => answer(r, 2, i < 1 ? 1 : 0, 300)),
  // Faithfulness: two repeats averaged per question; an undetermined repeat does not count.
  ...rows.flatMap((r) => [judge("faithfulness", r, 0, 1), judge("faithfulness", r, 0, 1)]),
  ...rows.flatMap((r, i) => [judge("faithfulness", r, 1, i < 2 ? 1 : 0.5), judge("faithfulness", r, 1, i < 2 ? 1 : null)]),
  ...rows.flatMap((r) => [judge("faithfulness", r, 2, 0.5), judge("faithfulness", r, 2, 0.5)]),
  // Pairwise for the student: wins on r1 (both repeats), ties on r2, loses on r3, undetermined on r4.
  judge("pairwise", "r1", 1, 1, { decisive: true, flipped: false }),
  judge("pairwise", "r1", 1, 1, { decisive: true, flipped: false }),
  judge("pairwise", "r2", 1, 0.5, { decisive: true, flipped: true }),
  judge("pairwise", "r2", 1, 0.5, { decisive: false, flipped: false }),
  judge("pairwise", "r3", 1, 0, { decisive: true, flipped: false }),
  judge("pairwise", "r3", 1, 0, { decisive: true, flipped: false }),
  judge("pairwise", "r4", 1, null),
];

describe("the eval report", () => {
  const r = buildReport(input(tasks));

  it("summarizes each model and metric over questions, averaging repeats", () => {
    const [teacher, student] = r.models;
    expect(teacher!.metrics.schema_validity).toMatchObject({ mean: 1, n_scored: 4, n_undetermined: 0 });
    expect(student!.metrics.schema_validity!.mean).toBe(0.75);
    // r1, r2: 1; r3, r4: 0.5 (the undetermined repeat left out).
    expect(student!.metrics.faithfulness!.mean).toBe(0.75);
    expect(teacher!.paired_vs_incumbent).toBeNull();
  });

  it("pairs each candidate with the incumbent and with its base when the base is in the eval", () => {
    const student = r.models[1]!;
    expect(student.paired_vs_incumbent!.schema_validity).toMatchObject({ difference: -0.25, n_pairs: 4 });
    expect(student.paired_vs_base!.base).toBe("base");
    expect(student.paired_vs_base!.metrics.schema_validity).toMatchObject({ difference: 0.5, n_pairs: 4 });
    expect(r.models[2]!.paired_vs_base).toBeNull();
  });

  it("counts pairwise wins, losses, ties and undetermined, and the judge's position-flip rate over decisive comparisons", () => {
    expect(r.models[1]!.pairwise_vs_incumbent).toMatchObject({ wins: 1, losses: 1, ties: 1, n_undetermined: 1 });
    expect(r.judge).toMatchObject({ flipped: 1, decisive: 5, position_flip_rate: 0.2 });
  });

  it("prices answers per 1k and takes latency percentiles from recorded answers", () => {
    expect(r.models[1]!.cost_per_1k_answers_usd).toBe(1);
    expect(r.models[1]!.latency_ms.p50).toBe(202);
    expect(r.cost_usd).toBe(0.012345);
    expect(r.reference).toMatchObject({ rejected: 1, considered: 5, teacher_rejection_rate: 0.2 });
  });

  it("counts a failed answer as undetermined for its per-answer metrics, never as 0", () => {
    const failed = buildReport(input([...tasks.filter((t) => !(t.kind === "answer" && t.model === 2 && t.row_id === "r4")), answer("r4", 2, null, 0, "failed")]));
    expect(failed.models[2]).toMatchObject({ answered: 3, failed: 1 });
    expect(failed.models[2]!.metrics.schema_validity).toMatchObject({ n_scored: 3, n_undetermined: 1 });
  });

  it("gives the same report for the same scores (seeded intervals)", () => {
    expect(buildReport({ ...input(tasks), eval: { ...input(tasks).eval, id: "ev_other" } }).models).toEqual(r.models);
  });

  it("writes CSV a spreadsheet cannot mistake for formulas", () => {
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField("-0.25")).toBe("-0.25");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(reportCsv(r).split("\r\n")[0]).toMatch(/^model,role,metric,mean,ci_low,ci_high/);
  });
});
