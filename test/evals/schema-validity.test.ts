import { describe, expect, it } from "vitest";
import { exampleSchema, repeated, schemaValidity } from "../../src/evals";

const SCHEMA = { type: "object", properties: { title: { type: "string" }, year: { type: "integer" } }, required: ["title", "year"], additionalProperties: false };

describe("schema validity", () => {
  it("is 1 for a valid output and 0 for one missing a required field", () => {
    expect(schemaValidity({ schema: SCHEMA, output: { title: "Abbey Road", year: 1969 } })).toMatchObject({ score: 1 });
    const r = schemaValidity({ schema: SCHEMA, output: { title: "Abbey Road" } });
    expect(r.score).toBe(0);
    expect(r.errors[0]!.path).toBe("year");
  });

  it("parses raw text, and scores broken JSON 0", () => {
    expect(schemaValidity({ schema: SCHEMA, raw: 'Here: {"title": "x", "year": 1}' }).score).toBe(1);
    expect(schemaValidity({ schema: SCHEMA, raw: '{"title": "x", "ye' }).score).toBe(0);
  });

  it("is undetermined without a schema", () => {
    expect(schemaValidity({ schema: null, output: { a: 1 } })).toMatchObject({ score: null, undetermined: "no_schema" });
  });

  it("finds a row's schema in the tool its answer calls, else in response_format", () => {
    const tools = [{ type: "function", function: { name: "other", parameters: { type: "object" } } }, { type: "function", function: { name: "album", parameters: SCHEMA } }];
    const messages = [{ role: "user", content: "q" }, { role: "assistant", tool_calls: [{ id: "c", type: "function", function: { name: "album", arguments: "{}" } }] }];
    expect(exampleSchema({ messages, tools })).toBe(SCHEMA);
    expect(exampleSchema({ messages: [], response_format: { type: "json_schema", json_schema: { name: "x", schema: SCHEMA } } })).toBe(SCHEMA);
    expect(exampleSchema({ messages: [{ role: "assistant", content: "prose" }] })).toBeNull();
  });
});

describe("repeats", () => {
  it("averages the repeats that scored and keeps each one's score", async () => {
    const scores = [1, null, 0.5];
    const r = await repeated(3, async (i) => ({ score: scores[i]!, undetermined: scores[i] === null ? "judge_unparseable" : null, records: [] }));
    expect(r).toMatchObject({ score: 0.75, undetermined: null, scores: [1, null, 0.5] });
  });

  it("is undetermined when no repeat scored, and refuses repeats outside 1–5", async () => {
    const r = await repeated(2, async () => ({ score: null, undetermined: "no_statements", records: [] }));
    expect(r).toMatchObject({ score: null, undetermined: "no_statements" });
    await expect(repeated(6, async () => ({ score: 1, undetermined: null, records: [] }))).rejects.toThrow(RangeError);
    await expect(repeated(0, async () => ({ score: 1, undetermined: null, records: [] }))).rejects.toThrow(RangeError);
  });
});

describe("schema validity of a program's answer", () => {
  it("is 0 when the program needed its repair turn, even though the final output validates", () => {
    expect(schemaValidity({ schema: SCHEMA, output: { title: "Abbey Road", year: 1969 }, repaired: true })).toMatchObject({ score: 0 });
  });
});
