import { describe, expect, it } from "vitest";
import { pairwisePreference, positionFlipRate } from "../../src/evals";
import { scriptedJudge, userText } from "./fake-judge";

const verdict = (winner: "A" | "B" | "tie") => ({ explanation: `I prefer ${winner}.`, winner });

describe("pairwise preference", () => {
  it("counts a win only when it holds in both orders", async () => {
    // First asked as A, then as B: the judge picks it both times.
    const judge = scriptedJudge([verdict("A"), verdict("B")]);
    const r = await pairwisePreference(judge, { question: "q", first: { year: 1969 }, second: { year: 2001 } });
    expect(r).toMatchObject({ winner: "first", score: 1, flipped: false, verdicts: { forward: "first", swapped: "first" } });
    expect(userText(judge.calls[0]!)).toMatch(/<answer_a>[\s\S]*1969[\s\S]*<answer_b>[\s\S]*2001/);
    expect(userText(judge.calls[1]!)).toMatch(/<answer_a>[\s\S]*2001[\s\S]*<answer_b>[\s\S]*1969/);
  });

  it("is a tie when the verdict follows the position instead of the answer", async () => {
    const judge = scriptedJudge([verdict("A"), verdict("A")]);
    const r = await pairwisePreference(judge, { question: "q", first: "one answer", second: "another answer" });
    expect(r).toMatchObject({ winner: "tie", score: 0.5, flipped: true, verdicts: { forward: "first", swapped: "second" } });
  });

  it("ties identical outputs without calling the judge", async () => {
    const judge = scriptedJudge([]);
    const r = await pairwisePreference(judge, { question: "q", first: { a: 1, b: [1, 2] }, second: { b: [1, 2], a: 1 } });
    expect(r).toMatchObject({ winner: "tie", score: 0.5, identical: true, records: [] });
    expect(judge.calls).toHaveLength(0);
  });

  it("is undetermined when either order's verdict never parses", async () => {
    const judge = scriptedJudge([verdict("A"), { winner: "C" }, { explanation: "x" }]);
    const r = await pairwisePreference(judge, { question: "q", first: "x", second: "y" });
    expect(r).toMatchObject({ winner: null, score: null, undetermined: "judge_unparseable" });
  });

  it("reports the position-flip rate over the comparisons where either order was decisive", async () => {
    const results = await Promise.all([
      pairwisePreference(scriptedJudge([verdict("A"), verdict("B")]), { question: "q", first: "a", second: "b" }), // consistent
      pairwisePreference(scriptedJudge([verdict("A"), verdict("A")]), { question: "q", first: "a", second: "b" }), // flipped
      pairwisePreference(scriptedJudge([verdict("B"), verdict("tie")]), { question: "q", first: "a", second: "b" }), // flipped
      pairwisePreference(scriptedJudge([verdict("tie"), verdict("tie")]), { question: "q", first: "a", second: "b" }), // not decisive
      pairwisePreference(scriptedJudge([]), { question: "q", first: "a", second: "a" }), // identical
    ]);
    expect(positionFlipRate(results)).toEqual({ rate: 2 / 3, flipped: 2, decisive: 3 });
  });
});
