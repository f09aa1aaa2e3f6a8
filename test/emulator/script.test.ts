import { describe, expect, it } from "vitest";
import { configureRun, emulatorClient, runStats, uniqueRun } from "../helpers/emulator";
import { CITATION_CONTEXT, CITATIONS_SCHEMA, QUESTIONS_SCHEMA, matchesSchema } from "./fixtures";

const MODEL = "gpt-4o-mini-2024-07-18";
type Config = Parameters<typeof configureRun>[1];

async function scripted(script: NonNullable<Config>["script"]) {
  const run = uniqueRun("script");
  await configureRun(run, { script });
  return { run, client: emulatorClient(run) };
}

const toolRequest = {
  model: MODEL,
  messages: [{ role: "user" as const, content: `Cite the sources.\n\n${CITATION_CONTEXT}` }],
  tools: [{ type: "function" as const, function: { name: "Response", parameters: CITATIONS_SCHEMA } }],
  tool_choice: { type: "function" as const, function: { name: "Response" } },
};
const schemaRequest = {
  model: MODEL,
  messages: [{ role: "user" as const, content: `Write 3 questions about this text.\n\n${CITATION_CONTEXT}` }],
  response_format: { type: "json_schema" as const, json_schema: { name: "Questions", schema: QUESTIONS_SCHEMA, strict: true } },
};
const questionsRequest = { model: MODEL, messages: [{ role: "user" as const, content: `Write 3 questions about the following text.\n\n${CITATION_CONTEXT}` }] };

function toolArgs(res: { choices: Array<{ message: { tool_calls?: Array<{ type: string; function?: { arguments: string } }> } }> }): string {
  return res.choices[0]!.message.tool_calls![0]!.function!.arguments;
}

describe("emulator: scripted behaviours", () => {
  it("invalid_json: one tool call with arguments that do not parse, then normal again", async () => {
    const { client, run } = await scripted([{ action: "invalid_json" }]);
    const bad = await client.chat.completions.create(toolRequest);
    expect(() => JSON.parse(toolArgs(bad))).toThrow();
    const good = await client.chat.completions.create(toolRequest);
    expect(matchesSchema(CITATIONS_SCHEMA, JSON.parse(toolArgs(good)))).toBe(true);
    expect((await runStats(run)).script_consumed).toEqual({ invalid_json: 1 });
  });

  it("chatty_preamble: a preamble and numbered lines instead of bare questions", async () => {
    const { client } = await scripted([{ action: "chatty_preamble", times: 2 }]);
    const text = (await client.chat.completions.create(questionsRequest)).choices[0]!.message.content!;
    expect(text).toMatch(/^Here are 3 questions:\n1\. .+\?\n2\. .+\?\n3\. .+\?$/);
    const json = (await client.chat.completions.create(schemaRequest)).choices[0]!.message.content!;
    expect(json.startsWith("Here is the JSON")).toBe(true);
    expect(json).toContain("```json");
    const plain = (await client.chat.completions.create(questionsRequest)).choices[0]!.message.content!;
    expect(plain.split("\n")).toHaveLength(3);
  });

  it("wrong_count: arrays break maxItems, and text gives one question more than asked", async () => {
    const { client } = await scripted([{ action: "wrong_count", times: 2 }]);
    const value = JSON.parse((await client.chat.completions.create(schemaRequest)).choices[0]!.message.content!) as { questions: string[] };
    expect(value.questions).toHaveLength(5);
    expect(matchesSchema(QUESTIONS_SCHEMA, value)).toBe(false);
    const text = (await client.chat.completions.create(questionsRequest)).choices[0]!.message.content!;
    expect(text.split("\n")).toHaveLength(4);
  });

  it("no_context: 'Empty Response' in text, empty arrays in tool arguments", async () => {
    const { client } = await scripted([{ action: "no_context", times: 2 }]);
    const text = await client.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: `${CITATION_CONTEXT}\nWhat did Kaplan show?` }] });
    expect(text.choices[0]!.message.content).toBe("Empty Response");
    const tool = await client.chat.completions.create(toolRequest);
    expect(JSON.parse(toolArgs(tool))).toEqual({ citations: [] });
  });

  it("refusal: structured outputs refuse with content null", async () => {
    const { client } = await scripted([{ action: "refusal" }]);
    const res = await client.chat.completions.create(schemaRequest);
    expect(res.choices[0]!.message.content).toBeNull();
    expect(res.choices[0]!.message.refusal).toMatch(/can't assist/);
    expect((await client.chat.completions.create(schemaRequest)).choices[0]!.message.refusal).toBeNull();
  });

  it("consumes steps in order, only for matching and applicable requests", async () => {
    const { client, run } = await scripted([
      { action: "invalid_json", match: "Cite the sources" },
      { action: "no_context" },
    ]);
    // A plain question cannot carry invalid JSON, so the first step waits and the second applies.
    const text = await client.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "Where is Paris? Paris is in France." }] });
    expect(text.choices[0]!.message.content).toBe("Empty Response");
    const tool = await client.chat.completions.create(toolRequest);
    expect(() => JSON.parse(toolArgs(tool))).toThrow();
    expect(matchesSchema(CITATIONS_SCHEMA, JSON.parse(toolArgs(await client.chat.completions.create(toolRequest))))).toBe(true);
    expect((await runStats(run)).script_consumed).toEqual({ invalid_json: 1, no_context: 1 });
  });
});
