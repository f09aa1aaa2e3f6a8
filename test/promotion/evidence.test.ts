import { describe, expect, it } from "vitest";
import { decidedCandidate, evidenceOf } from "../../src/promotion/evidence";
import { decidePromotion } from "../../src/promotion/rule";
import { modelReport, winningReport } from "./fixtures";

describe("an eval report as the rule's evidence", () => {
  it("reads the paired n, both schema-validity means, the faithfulness lower bound and pairwise counts", () => {
    const report = winningReport("eval_1", "gpt-teacher", "ft:student");
    const candidate = decidedCandidate(report)!;
    expect(evidenceOf(report, candidate)).toEqual({
      candidate: "ft:student",
      incumbent: "gpt-teacher",
      scored: 40,
      schema_validity: { candidate: 1, incumbent: 0.97 },
      faithfulness_diff_lower: 0.01,
      pairwise: { wins: 20, losses: 5, ties: 15 },
    });
    expect(decidePromotion(evidenceOf(report, candidate)).decision).toBe("promote");
  });

  it("decides on the fine-tune, not on its base measured beside it", () => {
    const base = modelReport("base-model", "candidate");
    const report = winningReport("eval_1", "gpt-teacher", "ft:student");
    report.models = [report.models[0]!, { ...report.models[1]!, paired_vs_base: { base: "base-model", metrics: {} } }, base];
    expect(decidedCandidate(report)!.model).toBe("ft:student");
  });

  it("reads a metric the eval did not ask as not measured", () => {
    const report = winningReport("eval_1", "gpt-teacher", "ft:student");
    const candidate = { ...decidedCandidate(report)!, paired_vs_incumbent: {}, pairwise_vs_incumbent: null };
    const e = evidenceOf(report, candidate);
    expect(e).toMatchObject({ scored: 0, faithfulness_diff_lower: null, pairwise: null });
    expect(decidePromotion(e).decision).toBe("keep");
  });

  it("has no candidate when the eval measured only the incumbent", () => {
    const report = winningReport("eval_1", "gpt-teacher", "ft:student");
    report.models = [report.models[0]!];
    expect(decidedCandidate(report)).toBeNull();
  });
});
