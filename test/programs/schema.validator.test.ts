import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  checkOutputSchema,
  compileOutputValidator,
  formatOutputErrors,
  MAX_OUTPUT_ERRORS,
  schemaHash,
} from "../../src/programs/schema";

const song = {
  type: "object",
  description: "A song.",
  properties: { title: { type: "string" }, length_seconds: { type: "integer", minimum: 1 } },
  required: ["title", "length_seconds"],
};

describe("compileOutputValidator", () => {
  it("parses without compiling code: zod sees workerd and never reaches for new Function", () => {
    // Deployed workerd refuses eval; the test pool allows it, so check zod's own decision instead.
    expect(z.core.util.allowsEval.value).toBe(false);
    expect(compileOutputValidator(song)({ title: "x", length_seconds: 3 }).ok).toBe(true);
  });

  it("caches by schema: key order and annotations do not matter, constraints do", () => {
    const first = compileOutputValidator(song);
    const reordered = { required: song.required, properties: song.properties, type: "object" };
    expect(compileOutputValidator(reordered)).toBe(first);
    expect(compileOutputValidator({ ...song, description: "Another description.", title: "Song" })).toBe(first);
    expect(checkOutputSchema(song).validate).toBe(first);
    const stricter = { ...song, properties: { ...song.properties, title: { type: "string", minLength: 1 } } };
    expect(compileOutputValidator(stricter)).not.toBe(first);
  });

  it("answers with the very value it was given, never a rewritten copy", () => {
    const value = { title: "x", length_seconds: 3, extra: { kept: true } };
    const result = compileOutputValidator(song)(value);
    expect(result.ok && result.value).toBe(value);
  });

  it("keeps a __proto__ key as data, and validates it when it is a declared property", () => {
    const value = JSON.parse('{"title":"x","length_seconds":3,"__proto__":{"polluted":true}}') as object;
    expect(compileOutputValidator(song)(value)).toEqual({ ok: true, value });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("lists every error, up to a limit", () => {
    const validate = compileOutputValidator({ type: "object", properties: { xs: { type: "array", items: { type: "integer" } } } });
    const result = validate({ xs: Array.from({ length: 60 }, (_, i) => `n${i}`) });
    if (result.ok) throw new Error("expected errors");
    expect(result.errors).toHaveLength(MAX_OUTPUT_ERRORS + 1);
    expect(result.errors[0]).toEqual({ path: "xs[0]", message: 'expected integer, got "n0"' });
    expect(result.errors.at(-1)).toEqual({ path: "", message: "10 more errors not listed" });
  });

  it("shortens long values in messages", () => {
    const result = compileOutputValidator(song)({ title: "x", length_seconds: "a very long string that goes on and on and on" });
    expect(result).toEqual({
      ok: false,
      errors: [{ path: "length_seconds", message: 'expected integer, got "a very long string that goes on and …' }],
    });
  });

  it("reports the closest anyOf option, or every expected type when none came close", () => {
    const validate = compileOutputValidator({
      type: "object",
      properties: {
        v: { anyOf: [{ type: "integer" }, { type: "array", items: { type: "string" } }, { enum: ["none"] }] },
      },
    });
    expect(validate({ v: "some" })).toEqual({
      ok: false,
      errors: [{ path: "v", message: 'expected integer or array or "none", got "some"' }],
    });
    expect(validate({ v: ["a", 2] })).toEqual({ ok: false, errors: [{ path: "v[1]", message: "expected string, got 2" }] });
  });

  it("names properties that are not identifiers with brackets", () => {
    const validate = compileOutputValidator({
      type: "object",
      properties: { "track list": { type: "array", items: { type: "object", properties: { "length-s": { type: "integer" } } } } },
    });
    expect(validate({ "track list": [{ "length-s": "x" }] })).toEqual({
      ok: false,
      errors: [{ path: '["track list"][0]["length-s"]', message: 'expected integer, got "x"' }],
    });
  });
});

describe("formatOutputErrors", () => {
  it("renders one error per line, the root as (root)", () => {
    expect(
      formatOutputErrors([
        { path: "", message: "expected object, got an array (0 items)" },
        { path: "songs[2].length_seconds", message: "expected integer, got 3.5" },
      ]),
    ).toBe("- (root): expected object, got an array (0 items)\n- songs[2].length_seconds: expected integer, got 3.5");
  });
});

describe("schemaHash", () => {
  it("is stable across key order and changes with any content, descriptions included", async () => {
    const hash = await schemaHash(song);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await schemaHash({ required: song.required, description: song.description, type: "object", properties: song.properties })).toBe(hash);
    expect(await schemaHash({ ...song, description: "Another." })).not.toBe(hash);
  });
});
