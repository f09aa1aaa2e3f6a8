import { describe, expect, it } from "vitest";
import { faithfulness, leafStatements, VERDICTS_TOOL } from "../../src/evals";
import { scriptedJudge, userText } from "./fake-judge";

const CONTEXTS = ["Abbey Road was released by The Beatles in 1969.", "It was recorded at EMI Studios in London."];
const verdicts = (...v: Array<"supported" | "unsupported">) => ({ verdicts: v.map((verdict, i) => ({ index: i + 1, reason: "…", verdict })) });

describe("faithfulness", () => {
  it("is 1.0 when every statement of a prose answer is supported", async () => {
    const judge = scriptedJudge([{ statements: ["Abbey Road was released in 1969.", "Abbey Road was recorded in London."] }, verdicts("supported", "supported")]);
    const r = await faithfulness(judge, { question: "When and where?", output: "It came out in 1969 and was recorded in London.", contexts: CONTEXTS });
    expect(r).toMatchObject({ score: 1, undetermined: null });
    expect(r.statements.map((s) => s.verdict)).toEqual(["supported", "supported"]);
    // Both calls are forced tool calls; the verdict call shows every context and every statement.
    expect(judge.calls.map((c) => c.tool_choice)).toEqual([
      { type: "function", function: { name: "record_statements" } },
      { type: "function", function: { name: "record_verdicts" } },
    ]);
    expect(userText(judge.calls[1]!)).toContain("<context>\nIt was recorded at EMI Studios in London.\n</context>");
    expect(userText(judge.calls[1]!)).toContain("2. Abbey Road was recorded in London.");
  });

  it("is 0.5 when half the statements are supported", async () => {
    const judge = scriptedJudge([{ statements: ["a", "b", "c", "d"] }, verdicts("supported", "unsupported", "unsupported", "supported")]);
    const r = await faithfulness(judge, { question: "q", output: "some answer", contexts: CONTEXTS });
    expect(r.score).toBe(0.5);
  });

  it("judges a structured output leaf by leaf, one statement per JSON path with its key, without a splitting call", async () => {
    const output = { album: "Abbey Road", citations: [{ author: "The Beatles", year: 1969 }, { author: "Smith et al.", year: 2019 }] };
    expect(leafStatements(output)).toEqual(["album: Abbey Road", "citations[0].author: The Beatles", "citations[0].year: 1969", "citations[1].author: Smith et al.", "citations[1].year: 2019"]);
    const judge = scriptedJudge([verdicts("supported", "supported", "supported", "unsupported", "unsupported")]);
    const r = await faithfulness(judge, { question: "q", output, contexts: CONTEXTS });
    expect(r.score).toBeCloseTo(0.6, 10);
    expect(judge.calls).toHaveLength(1);
    expect(judge.calls[0]!.tools![0]).toMatchObject({ function: { name: VERDICTS_TOOL.name } });
  });

  it("is undetermined, not NaN, when the answer makes no statements", async () => {
    const judge = scriptedJudge([{ statements: [] }]);
    const r = await faithfulness(judge, { question: "q", output: "Hello!", contexts: CONTEXTS });
    expect(r).toMatchObject({ score: null, undetermined: "no_statements" });
    const structured = await faithfulness(scriptedJudge([]), { question: "q", output: { citations: [], note: "" }, contexts: CONTEXTS });
    expect(structured).toMatchObject({ score: null, undetermined: "no_statements" });
  });

  it("is undetermined when there are no contexts, and asks the judge nothing", async () => {
    const judge = scriptedJudge([]);
    const r = await faithfulness(judge, { question: "q", output: "It came out in 1969.", contexts: [] });
    expect(r).toMatchObject({ score: null, undetermined: "no_contexts", records: [] });
    expect(judge.calls).toHaveLength(0);
  });

  it("gives the judge one repair turn, then is undetermined when its output never parses", async () => {
    const judge = scriptedJudge(['{"verdicts": [', { verdicts: [{ index: 1, verdict: "maybe" }] }]);
    const r = await faithfulness(judge, { question: "q", output: { year: 1969 }, contexts: CONTEXTS });
    expect(r).toMatchObject({ score: null, undetermined: "judge_unparseable" });
    expect(judge.calls).toHaveLength(2);
    // The repair turn shows the judge its call and what was wrong with it.
    const repair = judge.calls[1]!.messages.at(-1)!;
    expect(repair).toMatchObject({ role: "tool" });
    expect(String(repair.content)).toContain("not valid JSON");
    // Both attempts are recorded with their raw output, for audit.
    expect(r.records[0]!.attempts.map((a) => a.raw)).toEqual(['{"verdicts": [', '{"verdicts":[{"index":1,"verdict":"maybe"}]}']);
    expect(r.records[0]!.ok).toBe(false);
  });

  it("takes a repaired answer, and refuses verdicts that skip a statement", async () => {
    const judge = scriptedJudge([verdicts("supported"), verdicts("supported", "unsupported")]);
    const r = await faithfulness(judge, { question: "q", output: { album: "Abbey Road", year: 2001 }, contexts: CONTEXTS });
    expect(r.score).toBe(0.5);
    expect(r.records[0]!.attempts[0]!.error).toContain("no verdict for statement(s) 2");
  });

  it("counts a judge that answers in prose instead of calling the tool as unparseable", async () => {
    const judge = scriptedJudge([{ content: "All supported." }, { content: "Still prose." }]);
    const r = await faithfulness(judge, { question: "q", output: { year: 1969 }, contexts: CONTEXTS });
    expect(r.undetermined).toBe("judge_unparseable");
    expect(judge.calls[1]!.messages.at(-1)).toMatchObject({ role: "user" });
  });
});
