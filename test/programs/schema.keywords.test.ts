import { describe, expect, it } from "vitest";
import { checkOutputSchema, SUPPORTED_KEYWORDS, SUPPORTED_FORMATS, type OutputError } from "../../src/programs/schema";

/*
 * One test per keyword of the supported subset, each proving that zod 4.6.7's `fromJSONSchema`
 * (as we call it) enforces it: a valid value passes, an invalid one fails with a readable error.
 * zod's JSON Schema import is young; a zod upgrade that changes any of this fails here first.
 */

/** A validator for an output `{ x: <value> }` whose `x` follows `schema`. */
function field(schema: object) {
  const { validate } = checkOutputSchema({ type: "object", properties: { x: schema }, required: ["x"] });
  return {
    accepts(...values: unknown[]) {
      for (const value of values) expect(validate({ x: value }), JSON.stringify(value)).toEqual({ ok: true, value: { x: value } });
    },
    rejects(value: unknown, message: RegExp, path = "x") {
      const result = validate({ x: value });
      expect(result.ok, JSON.stringify(value)).toBe(false);
      const errors = (result as { errors: OutputError[] }).errors;
      expect(errors, JSON.stringify(errors)).toContainEqual({ path, message: expect.stringMatching(message) });
    },
  };
}

describe("supported keywords: zod enforces each one", () => {
  it("type: string", () => {
    field({ type: "string" }).accepts("a", "");
    field({ type: "string" }).rejects(3, /^expected string, got 3$/);
  });

  it("type: integer (safe integers only; 3.0 is an integer)", () => {
    const f = field({ type: "integer" });
    f.accepts(3, -7, 0, 3.0, Number.MAX_SAFE_INTEGER);
    f.rejects(3.5, /^expected integer, got 3\.5$/);
    f.rejects("3", /^expected integer, got "3"$/);
    f.rejects(2 ** 53, /at most 9007199254740991/);
  });

  it("type: number", () => {
    field({ type: "number" }).accepts(3.25, -1, 0);
    field({ type: "number" }).rejects("3.25", /^expected number, got "3\.25"$/);
  });

  it("type: boolean", () => {
    field({ type: "boolean" }).accepts(true, false);
    field({ type: "boolean" }).rejects("true", /^expected boolean, got "true"$/);
  });

  it("type: null", () => {
    field({ type: "null" }).accepts(null);
    field({ type: "null" }).rejects(0, /^expected null, got 0$/);
  });

  it("type: object", () => {
    field({ type: "object" }).accepts({}, { any: "thing" });
    field({ type: "object" }).rejects([], /^expected object, got an array \(0 items\)$/);
  });

  it("type: array", () => {
    field({ type: "array" }).accepts([], [1, "two"]);
    field({ type: "array" }).rejects({}, /^expected array, got an object$/);
  });

  it('type: a list such as ["string", "null"] is a union', () => {
    const f = field({ type: ["string", "null"], minLength: 2 });
    f.accepts("ab", null);
    f.rejects(3, /^expected string or null, got 3$/);
    f.rejects("a", /at least 2 characters/);
  });

  it("properties: each property's schema applies", () => {
    const f = field({ type: "object", properties: { n: { type: "integer" } } });
    f.accepts({ n: 1 }, {});
    f.rejects({ n: "1" }, /^expected integer, got "1"$/, "x.n");
  });

  it("required: listed properties must be present", () => {
    const f = field({ type: "object", properties: { n: { type: "integer" }, m: { type: "string" } }, required: ["n"] });
    f.accepts({ n: 1 }, { n: 1, m: "x" });
    f.rejects({ m: "x" }, /^is required but missing$/, "x.n");
  });

  it("additionalProperties: false rejects unknown keys, true (or absent) keeps them", () => {
    const closed = field({ type: "object", properties: { a: { type: "string" } }, additionalProperties: false });
    closed.accepts({ a: "x" });
    closed.rejects({ a: "x", b: 1 }, /not an allowed property/, "x.b");
    const open = field({ type: "object", properties: { a: { type: "string" } }, additionalProperties: true });
    open.accepts({ a: "x", b: 1 });
  });

  it("items: one schema for every element", () => {
    const f = field({ type: "array", items: { type: "integer" } });
    f.accepts([], [1, 2]);
    f.rejects([1, "2"], /^expected integer, got "2"$/, "x[1]");
  });

  it("minItems", () => {
    field({ type: "array", minItems: 2 }).accepts([1, 2], [1, 2, 3]);
    field({ type: "array", minItems: 2 }).rejects([1], /^must have at least 2 items$/);
  });

  it("maxItems", () => {
    field({ type: "array", maxItems: 2 }).accepts([], [1, 2]);
    field({ type: "array", maxItems: 2 }).rejects([1, 2, 3], /^must have at most 2 items$/);
  });

  it("minLength counts code points, as JSON Schema does", () => {
    field({ type: "string", minLength: 2 }).accepts("ab", "😀😀");
    field({ type: "string", minLength: 2 }).rejects("a", /^must be at least 2 characters long$/);
  });

  it("maxLength counts code points, as JSON Schema does", () => {
    field({ type: "string", maxLength: 1 }).accepts("", "a", "😀");
    field({ type: "string", maxLength: 1 }).rejects("ab", /^must be at most 1 characters long$/);
  });

  it("pattern: unanchored, as JSON Schema says (a plain RegExp, no eval)", () => {
    const f = field({ type: "string", pattern: "[0-9]{4}" });
    f.accepts("1999", "in 1999.");
    f.rejects("99", /^must match the pattern \/\[0-9\]\{4\}\/$/);
    field({ type: "string", pattern: "^[a-z]+$" }).rejects("abC", /must match the pattern/);
  });

  it("format: date (real calendar dates)", () => {
    field({ type: "string", format: "date" }).accepts("2024-02-29", "1999-12-31");
    field({ type: "string", format: "date" }).rejects("2023-02-29", /^must be a date \(YYYY-MM-DD\)$/);
    field({ type: "string", format: "date" }).rejects("12/31/1999", /must be a date/);
  });

  it("format: date-time (RFC 3339, a time zone required)", () => {
    field({ type: "string", format: "date-time" }).accepts("2024-05-01T12:00:00Z", "2024-05-01T12:00:00.5+02:00");
    field({ type: "string", format: "date-time" }).rejects("2024-05-01T12:00:00", /^must be a date-time/);
    field({ type: "string", format: "date-time" }).rejects("2024-05-01", /must be a date-time/);
  });

  it("format: email", () => {
    field({ type: "string", format: "email" }).accepts("ada@example.com", "first.last+tag@sub.example.org");
    field({ type: "string", format: "email" }).rejects("ada at example.com", /^must be an email address$/);
    // zod wants a dotted domain with a TLD; RFC 5321 would allow `a@b`.
    field({ type: "string", format: "email" }).rejects("a@b", /email/);
  });

  it("format: uri (parsed with URL: a scheme is required)", () => {
    field({ type: "string", format: "uri" }).accepts("https://example.com/a?b=c", "mailto:ada@example.com");
    field({ type: "string", format: "uri" }).rejects("example.com", /^must be a URI/);
  });

  it("format: uuid", () => {
    field({ type: "string", format: "uuid" }).accepts("123e4567-e89b-12d3-a456-426614174000");
    field({ type: "string", format: "uuid" }).rejects("123e4567", /^must be a UUID$/);
  });

  it("minimum (inclusive)", () => {
    field({ type: "number", minimum: 0 }).accepts(0, 1.5);
    field({ type: "number", minimum: 0 }).rejects(-0.1, /^must be at least 0$/);
  });

  it("maximum (inclusive)", () => {
    field({ type: "integer", maximum: 10 }).accepts(10, -3);
    field({ type: "integer", maximum: 10 }).rejects(11, /^must be at most 10$/);
  });

  it("exclusiveMinimum (a number)", () => {
    field({ type: "number", exclusiveMinimum: 0 }).accepts(0.001);
    field({ type: "number", exclusiveMinimum: 0 }).rejects(0, /^must be more than 0$/);
  });

  it("exclusiveMaximum (a number)", () => {
    field({ type: "number", exclusiveMaximum: 1 }).accepts(0.999);
    field({ type: "number", exclusiveMaximum: 1 }).rejects(1, /^must be less than 1$/);
  });

  it("multipleOf (float-safe)", () => {
    field({ type: "number", multipleOf: 0.01 }).accepts(0.07, 19.99, 0);
    field({ type: "number", multipleOf: 0.01 }).rejects(0.071, /^must be a multiple of 0\.01$/);
    field({ type: "integer", multipleOf: 5 }).rejects(12, /multiple of 5/);
  });

  it("enum: strings, numbers, booleans and null", () => {
    const f = field({ enum: ["rock", "jazz", 7, false, null] });
    f.accepts("rock", 7, false, null);
    f.rejects("pop", /^expected "rock" or "jazz" or 7 or false or null, got "pop"$/);
    const typed = field({ type: "string", enum: ["rock", "jazz"] });
    typed.accepts("jazz");
    typed.rejects("Jazz", /^expected "rock" or "jazz", got "Jazz"$/);
  });

  it("const", () => {
    field({ const: "v1" }).accepts("v1");
    field({ const: "v1" }).rejects("v2", /^expected "v1", got "v2"$/);
    field({ const: null }).rejects(0, /expected null/);
  });

  it("anyOf: a value matching any option passes (Optional[X] is anyOf [X, null])", () => {
    const f = field({
      anyOf: [{ type: "object", properties: { a: { type: "string" } }, required: ["a"] }, { type: "null" }],
      description: "optional object",
    });
    f.accepts({ a: "x" }, null);
    // The object option got furthest, so its error is the one reported.
    f.rejects({ a: 1 }, /^expected string, got 1$/, "x.a");
    f.rejects("x", /^expected object or null, got "x"$/);
  });

  it("allOf with one schema (pydantic v1's annotated $ref)", () => {
    const { validate } = checkOutputSchema({
      type: "object",
      properties: { song: { allOf: [{ $ref: "#/$defs/Song" }], description: "the hit" } },
      required: ["song"],
      $defs: { Song: { type: "object", properties: { title: { type: "string" } }, required: ["title"] } },
    });
    expect(validate({ song: { title: "x" } }).ok).toBe(true);
    expect(validate({ song: {} })).toEqual({ ok: false, errors: [{ path: "song.title", message: "is required but missing" }] });
  });

  it("$ref and $defs: a local reference validates like the definition", () => {
    const { validate } = checkOutputSchema({
      type: "object",
      properties: { best: { $ref: "#/$defs/Song", description: "the best song" } },
      $defs: { Song: { type: "object", properties: { length_seconds: { type: "integer" } }, required: ["length_seconds"] } },
    });
    expect(validate({ best: { length_seconds: 200 } }).ok).toBe(true);
    expect(validate({ best: { length_seconds: 200.5 } })).toEqual({
      ok: false,
      errors: [{ path: "best.length_seconds", message: "expected integer, got 200.5" }],
    });
  });

  it("$ref: a recursive definition validates every level", () => {
    const { validate } = checkOutputSchema({
      type: "object",
      properties: { root: { $ref: "#/$defs/Node" } },
      required: ["root"],
      $defs: {
        Node: {
          type: "object",
          properties: { name: { type: "string" }, children: { type: "array", items: { $ref: "#/$defs/Node" } } },
          required: ["name"],
        },
      },
    });
    expect(validate({ root: { name: "a", children: [{ name: "b", children: [{ name: "c" }] }] } }).ok).toBe(true);
    expect(validate({ root: { name: "a", children: [{ name: "b", children: [{ name: 3 }] }] } })).toEqual({
      ok: false,
      errors: [{ path: "root.children[0].children[0].name", message: "expected string, got 3" }],
    });
  });

  it("definitions (pydantic v1) with #/definitions/ references, normalized to $defs", () => {
    const checked = checkOutputSchema({
      type: "object",
      properties: { song: { $ref: "#/definitions/Song" } },
      required: ["song"],
      definitions: { Song: { type: "object", properties: { title: { type: "string" } }, required: ["title"] } },
    });
    expect(checked.schema.properties.song).toEqual({ $ref: "#/$defs/Song" });
    expect(checked.schema.$defs?.Song).toBeDefined();
    expect(checked.schema).not.toHaveProperty("definitions");
    expect(checked.validate({ song: { title: "x" } }).ok).toBe(true);
    expect(checked.validate({ song: { title: 1 } }).ok).toBe(false);
  });

  it("$schema (2020-12 or draft-07) is accepted and dropped", () => {
    for (const uri of ["https://json-schema.org/draft/2020-12/schema", "http://json-schema.org/draft-07/schema#"]) {
      const checked = checkOutputSchema({ $schema: uri, type: "object", properties: { a: { type: "string" } } });
      expect(checked.schema).toEqual({ type: "object", properties: { a: { type: "string" } } });
      expect(checked.validate({ a: 1 }).ok).toBe(false);
    }
  });

  it("description and title are annotations: they never change what validates", () => {
    const f = field({ type: "string", description: "the name", title: "Name" });
    f.accepts("x");
    f.rejects(1, /expected string/);
  });

  it("default is an annotation: not applied, and a required property stays required", () => {
    const { validate } = checkOutputSchema({
      type: "object",
      properties: { genre: { type: "string", default: "rock" }, year: { type: "integer", default: 2000 } },
      required: ["year"],
    });
    // zod would fill defaults in and accept the missing `year`; the validator does neither.
    expect(validate({ year: 1999 })).toEqual({ ok: true, value: { year: 1999 } });
    expect(validate({})).toEqual({ ok: false, errors: [{ path: "year", message: "is required but missing" }] });
  });

  it("examples is an annotation", () => {
    const f = field({ type: "integer", examples: [1999, 2024] });
    f.accepts(3);
    f.rejects("1999", /expected integer/);
  });

  it("every keyword of SUPPORTED_KEYWORDS has its test above", () => {
    // Keep this list in step with the table in src/programs/schema/subset.ts.
    expect(Object.keys(SUPPORTED_KEYWORDS).sort()).toEqual(
      [
        "$defs", "$ref", "$schema", "additionalProperties", "allOf", "anyOf", "const", "default", "definitions",
        "description", "enum", "examples", "exclusiveMaximum", "exclusiveMinimum", "format", "items", "maxItems",
        "maxLength", "maximum", "minItems", "minLength", "minimum", "multipleOf", "pattern", "properties", "required",
        "title", "type",
      ].sort(),
    );
    expect([...SUPPORTED_FORMATS].sort()).toEqual(["date", "date-time", "email", "uri", "uuid"]);
  });
});
