import { describe, expect, it } from "vitest";
import { emulatorClient, trainEmulatorStudent } from "../helpers/emulator";
import { CITATION_CONTEXT, CITATIONS_SCHEMA, matchesSchema } from "./fixtures";

const TEACHER = "gpt-6.1-sol";
const BASE = "gpt-4o-mini-2024-07-18";
const client = emulatorClient();

/** 60 different questions over the same context, each a forced tool call as a tools-mode program makes it. */
const QUESTIONS = Array.from({ length: 60 }, (_, i) => `Which works about ${["models", "scaling", "prompting", "retrieval", "instruction tuning"][i % 5]} does the text cite (variant ${i})?`);
const ask = (model: string, question: string) =>
  client.chat.completions.create({
    model,
    messages: [{ role: "user", content: `Context:\n${CITATION_CONTEXT}\n\nQuestion: ${question}` }],
    tools: [{ type: "function", function: { name: "cited_works", parameters: CITATIONS_SCHEMA as unknown as Record<string, unknown> } }],
    tool_choice: { type: "function", function: { name: "cited_works" } },
  });
const argsOf = async (model: string, question: string) => {
  const res = await ask(model, question);
  const call = res.choices[0]!.message.tool_calls![0]!;
  return call.type === "function" ? call.function.arguments : "";
};
const answersOf = (model: string) => Promise.all(QUESTIONS.map((q) => argsOf(model, q)));

describe("emulator: model profiles", () => {
  it("the teacher fills every structured answer from the context; a base student spoils about half, in each documented way", async () => {
    const [teacher, base] = await Promise.all([answersOf(TEACHER), answersOf(BASE)]);
    for (const a of teacher) expect(matchesSchema(CITATIONS_SCHEMA, JSON.parse(a))).toBe(true);
    const differs = base.filter((a, i) => a !== teacher[i]);
    expect(differs.length / QUESTIONS.length).toBeGreaterThan(0.3);
    expect(differs.length / QUESTIONS.length).toBeLessThan(0.7);
    const parsed = differs.map((a) => {
      try {
        return JSON.parse(a) as { citations: Array<Record<string, unknown>>; additional_notes?: string };
      } catch {
        return null;
      }
    });
    expect(parsed.filter((p) => p === null).length).toBeGreaterThan(0); // broken JSON
    expect(parsed.filter((p) => p?.additional_notes !== undefined).length).toBeGreaterThan(0); // an invented field
    expect(parsed.filter((p) => p && !matchesSchema(CITATIONS_SCHEMA, p) && p.additional_notes === undefined).length).toBeGreaterThan(0); // a dropped field
    expect(parsed.filter((p) => p && matchesSchema(CITATIONS_SCHEMA, p)).length).toBeGreaterThan(0); // valid, but citing what the context never says
  });

  it("a student trained on 10 rows is its base; one trained on 1000 spoils a subset of its base's answers, and still differs from the teacher on at least 10%", async () => {
    const [ten, thousand] = await Promise.all([trainEmulatorStudent(BASE, 10), trainEmulatorStudent(BASE, 1000)]);
    const [teacher, base, small, large] = await Promise.all([answersOf(TEACHER), answersOf(BASE), answersOf(ten), answersOf(thousand)]);
    expect(small).toEqual(base);
    const baseSpoiled = new Set(base.flatMap((a, i) => (a !== teacher[i] ? [i] : [])));
    const largeSpoiled = large.flatMap((a, i) => (a !== teacher[i] ? [i] : []));
    expect(largeSpoiled.every((i) => baseSpoiled.has(i))).toBe(true);
    expect(largeSpoiled.length).toBeLessThan(baseSpoiled.size * 0.6);
    expect(largeSpoiled.length / QUESTIONS.length).toBeGreaterThanOrEqual(0.1);
  });

  it("a base student spoils about half of its prose answers too, the teacher none", async () => {
    const prose = (model: string) =>
      Promise.all(QUESTIONS.map(async (q) => (await client.chat.completions.create({ model, messages: [{ role: "user", content: `${CITATION_CONTEXT}\n${q}` }] })).choices[0]!.message.content!));
    const [teacher, base] = await Promise.all([prose(TEACHER), prose(BASE)]);
    const differs = base.filter((a, i) => a !== teacher[i]);
    expect(differs.length / QUESTIONS.length).toBeGreaterThan(0.3);
    expect(differs.length / QUESTIONS.length).toBeLessThan(0.7);
    expect(differs.some((a) => a === "I'm not sure; the text does not say.")).toBe(true);
    expect(differs.some((a) => /According to .+, this was confirmed independently\.$/.test(a))).toBe(true);
  });

  it("the judge's verdicts follow the statements' content-word overlap with the contexts it is shown", async () => {
    const statements = ["Touvron et al. released LLaMA.", "citations[0].author: Touvron et al.", "citations[1].author: Hartwell and Okonkwo", "The Vienna Lighthouse Survey found scaling laws."];
    const res = await client.chat.completions.create({
      model: TEACHER,
      messages: [{ role: "user", content: `<context>\n${CITATION_CONTEXT}\n</context>\n<statements>\n${statements.map((s, i) => `${i + 1}. ${s}`).join("\n")}\n</statements>` }],
      tools: [{ type: "function", function: { name: "record_verdicts", parameters: { type: "object", properties: { verdicts: { type: "array", items: { type: "object" } } } } } }],
      tool_choice: { type: "function", function: { name: "record_verdicts" } },
    });
    const call = res.choices[0]!.message.tool_calls![0]!;
    const args = JSON.parse(call.type === "function" ? call.function.arguments : "{}") as { verdicts: Array<{ index: number; verdict: string }> };
    expect(args.verdicts.map((v) => [v.index, v.verdict])).toEqual([
      [1, "supported"],
      [2, "supported"],
      [3, "unsupported"],
      [4, "unsupported"],
    ]);
  });

  it("judges the same way whichever model is asked, and fills a look-alike tool as any other", async () => {
    const verdictCall = (model: string, parameters: Record<string, unknown>) =>
      client.chat.completions.create({
        model,
        messages: [{ role: "user", content: `<context>\n${CITATION_CONTEXT}\n</context>\n<statements>\n1. Kaplan et al. studied scaling.\n</statements>` }],
        tools: [{ type: "function", function: { name: "record_verdicts", parameters } }],
        tool_choice: { type: "function", function: { name: "record_verdicts" } },
      });
    const shape = { type: "object", properties: { verdicts: { type: "array", items: { type: "object" } } } };
    const [a, b] = await Promise.all([verdictCall(TEACHER, shape), verdictCall(BASE, shape)]);
    expect(a.choices[0]!.message.tool_calls).toEqual(b.choices[0]!.message.tool_calls!.map((c, i) => ({ ...c, id: a.choices[0]!.message.tool_calls![i]!.id })));
    const other = await verdictCall(TEACHER, { type: "object", properties: { note: { type: "string" } }, required: ["note"] });
    const call = other.choices[0]!.message.tool_calls![0]!;
    expect(Object.keys(JSON.parse(call.type === "function" ? call.function.arguments : "{}"))).toEqual(["note"]);
  });
});
