import { describe, expect, it } from "vitest";
import { answerRelevancy, cosine, type Embed } from "../../src/evals";
import { scriptedJudge, userText } from "./fake-judge";

/** Bag-of-words vectors over a tiny vocabulary: texts sharing words are close. */
const VOCAB = ["when", "abbey", "road", "released", "who", "drummer", "what", "color", "sky"];
const embed: Embed = async (texts) => texts.map((t) => VOCAB.map((w) => (t.toLowerCase().includes(w) ? 1 : 0)));

describe("answer relevancy", () => {
  it("is the mean cosine similarity of the generated questions to the original", async () => {
    const judge = scriptedJudge([
      {
        questions: [
          { question: "When was Abbey Road released?", noncommittal: false },
          { question: "When was Abbey Road released?", noncommittal: false },
          { question: "Who was the drummer?", noncommittal: false },
        ],
      },
    ]);
    const r = await answerRelevancy(judge, embed, { question: "When was Abbey Road released?", output: "Abbey Road was released in 1969." });
    expect(r.score).toBeCloseTo((1 + 1 + 0) / 3, 10);
    expect(r.generated.map((g) => g.similarity)).toEqual([1, 1, 0]);
    expect(userText(judge.calls[0]!)).toContain("exactly 3 questions");
  });

  it("is 0 when every generated question is noncommittal, without embedding anything", async () => {
    const judge = scriptedJudge([{ questions: Array.from({ length: 3 }, () => ({ question: "When was Abbey Road released?", noncommittal: true })) }]);
    let embedded = 0;
    const r = await answerRelevancy(judge, async (t) => ((embedded += t.length), embed(t)), { question: "When was Abbey Road released?", output: "I don't know." });
    expect(r).toMatchObject({ score: 0, undetermined: null });
    expect(embedded).toBe(0);
  });

  it("still scores when only some generations are noncommittal (ragas 0.4 zeroes only when all are)", async () => {
    const judge = scriptedJudge([
      {
        questions: [
          { question: "When was Abbey Road released?", noncommittal: true },
          { question: "When was Abbey Road released?", noncommittal: false },
          { question: "When was Abbey Road released?", noncommittal: false },
        ],
      },
    ]);
    const r = await answerRelevancy(judge, embed, { question: "When was Abbey Road released?", output: "Maybe 1969." });
    expect(r.score).toBeCloseTo(1, 10);
  });

  it("asks again once for too few questions, then is undetermined", async () => {
    const judge = scriptedJudge([{ questions: [{ question: "x", noncommittal: false }] }, { questions: [] }]);
    const r = await answerRelevancy(judge, embed, { question: "q", output: "an answer" });
    expect(r).toMatchObject({ score: null, undetermined: "judge_unparseable" });
    expect(r.records[0]!.attempts.map((a) => a.error)).toEqual(["1 question(s), 3 asked", "0 question(s), 3 asked"]);
  });

  it("is undetermined for a missing output, and reads a structured output as its leaves", async () => {
    expect((await answerRelevancy(scriptedJudge([]), embed, { question: "q", output: null })).undetermined).toBe("no_output");
    const judge = scriptedJudge([{ questions: [1, 2].map(() => ({ question: "What color is the sky?", noncommittal: false })) }]);
    await answerRelevancy(judge, embed, { question: "What color is the sky?", output: { color: "blue" }, n: 2 });
    expect(userText(judge.calls[0]!)).toContain("<answer>\ncolor: blue\n</answer>");
  });

  it("computes cosine similarity, 0 for a zero vector", () => {
    expect(cosine([1, 0], [1, 0])).toBe(1);
    expect(cosine([1, 0], [0, 1])).toBe(0);
    expect(cosine([0, 0], [1, 1])).toBe(0);
  });
});
