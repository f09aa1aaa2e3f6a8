import { describe, expect, it } from "vitest";
import type { Ask, Grant } from "../../src/durable/provider-limiter/allowance";
import { answerRelevancy, embedderFor, faithfulness, judgeFor, pairwisePreference } from "../../src/evals";
import { bindings } from "../helpers/api";
import { configureRun, runStats, uniqueRun } from "../helpers/emulator";
import { CITATION_CONTEXT } from "../emulator/fixtures";

/* The metrics against the emulator's judge (the default judge model), which decides by the content it is shown. */

const judge = () => judgeFor(bindings, { requestId: "metrics-emulator" });
const QUESTION = "What did Kaplan et al. show?";
const FAITHFUL = { citations: [{ author: "Kaplan et al.", year: 2020, desc: "Kaplan et al. (2020) showed that loss falls as a power law with model size." }] };
const INVENTED = { citations: [{ author: "Hartwell and Okonkwo", year: 2014, desc: "The Vienna Lighthouse Survey measured harbour fog." }] };

describe("metrics on the emulator's judge", () => {
  it("scores a prose answer by its statements: one drawn from the context, one invented → 0.5", async () => {
    const r = await faithfulness(judge(), {
      question: QUESTION,
      output: "Touvron et al. released LLaMA, a family of open foundation models. The Vienna Lighthouse Survey measured harbour fog.",
      contexts: [CITATION_CONTEXT],
    });
    expect(r.score).toBe(0.5);
    expect(r.statements.map((s) => s.verdict)).toEqual(["supported", "unsupported"]);
    // Each judge call is kept with its input and its raw output.
    expect(r.records.map((x) => x.tool)).toEqual(["record_statements", "record_verdicts"]);
    expect(r.records[1]!.attempts[0]!.raw).toContain('"verdict":"unsupported"');
    expect(JSON.stringify(r.records[1]!.messages)).toContain("Vienna Lighthouse");
  });

  it("scores a structured answer leaf by leaf: a faithful one 1.0, an invented one lower", async () => {
    const [good, bad] = await Promise.all([
      faithfulness(judge(), { question: QUESTION, output: FAITHFUL, contexts: [CITATION_CONTEXT] }),
      faithfulness(judge(), { question: QUESTION, output: INVENTED, contexts: [CITATION_CONTEXT] }),
    ]);
    expect(good.score).toBe(1);
    expect(bad.score).toBeLessThan(0.5);
  });

  it("is undetermined when the judge's output never parses, after one repair turn", async () => {
    const run = uniqueRun("judge-broken");
    await configureRun(run, { script: [{ action: "invalid_json", times: 2, match: "record_verdicts" }] });
    const r = await faithfulness(judgeFor(bindings, { requestId: `${run}:1` }), { question: QUESTION, output: FAITHFUL, contexts: [CITATION_CONTEXT] });
    expect(r).toMatchObject({ score: null, undetermined: "judge_unparseable" });
    expect(r.records[0]!.attempts).toHaveLength(2);
    expect((await runStats(run)).script_consumed).toEqual({ invalid_json: 2 });
  });

  it("gives a relevant answer a positive relevancy and an evasive one 0", async () => {
    const embed = embedderFor(bindings, { requestId: "metrics-emulator" });
    const [relevant, evasive] = await Promise.all([
      answerRelevancy(judge(), embed, { question: QUESTION, output: "Kaplan et al. (2020) showed that loss falls as a power law with model size." }),
      answerRelevancy(judge(), embed, { question: QUESTION, output: "I could not find the answer in the provided context." }),
    ]);
    expect(relevant.score).toBeGreaterThan(0.2);
    expect(relevant.generated).toHaveLength(3);
    expect(evasive).toMatchObject({ score: 0, undetermined: null });
    expect(evasive.generated.every((g) => g.noncommittal)).toBe(true);
  });

  it("prefers the faithful answer in both orders, and turns the judge's first-position guess into a tie", async () => {
    const win = await pairwisePreference(judge(), { question: QUESTION, first: INVENTED, second: FAITHFUL, contexts: [CITATION_CONTEXT] });
    expect(win).toMatchObject({ winner: "second", score: 0, flipped: false });
    const guess = await pairwisePreference(judge(), { question: QUESTION, first: FAITHFUL, second: { citations: [{ ...FAITHFUL.citations[0]!, desc: "Kaplan et al. showed that loss falls as a power law." }] }, contexts: [CITATION_CONTEXT] });
    expect(guess).toMatchObject({ winner: "tie", flipped: true, verdicts: { forward: "first", swapped: "second" } });
  });

  it("takes a slot from the provider key's limiter for every judge and embedding call when given a pacing context", async () => {
    const asks: Ask[] = [];
    const limiterFor = () => ({ ask: async (a: Ask): Promise<Grant> => (asks.push(a), { granted: a.want, waitMs: 0 }), lease: async () => expect.fail("batch work never leases") });
    const ctx = { requestId: "metrics-paced", pacing: { tenant: "tn_paced", limiterFor } };
    await answerRelevancy(judgeFor(bindings, ctx), embedderFor(bindings, ctx), { question: QUESTION, output: "Kaplan et al. showed scaling laws." });
    expect(asks.reduce((n, a) => n + a.want, 0)).toBe(2);
    expect(asks.every((a) => a.tenant === "tn_paced")).toBe(true);
  });
});
