import { describe, expect, it } from "vitest";
import { ApiError } from "../../src/errors";
import { checkOutputSchema, listSchemaProblems, SCHEMA_LIMITS, type SchemaProblem } from "../../src/programs/schema";

/** The 400 that checking `schema` throws. */
function rejection(schema: unknown): ApiError {
  try {
    checkOutputSchema(schema);
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    const apiError = err as ApiError;
    expect(apiError.status).toBe(400);
    expect(apiError.code).toBe("validation_failed");
    return apiError;
  }
  throw new Error("expected the schema to be rejected");
}

function problems(schema: unknown): SchemaProblem[] {
  return rejection(schema).details as SchemaProblem[];
}

/** A top-level object schema whose one property `x` is `schema`. */
const withField = (schema: unknown) => ({ type: "object", properties: { x: schema } });

describe("output_schema: the top level", () => {
  it.each([
    ["a string", "object"],
    ["an array", [{ type: "object" }]],
    ["null", null],
    ["a number", 3],
    ["a boolean", true],
  ])("rejects %s at the top level", (_, schema) => {
    expect(problems(schema)).toEqual([{ path: "output_schema", message: expect.stringMatching(/must be a JSON object/) }]);
  });

  it("rejects a top level that is not type object", () => {
    expect(problems({ type: "array", items: { type: "string" } })).toContainEqual({
      path: "output_schema.type",
      message: 'must be "object" at the top level',
    });
    expect(problems({ type: ["object", "null"], properties: {} })).toContainEqual({
      path: "output_schema.type",
      message: expect.stringMatching(/not a list of types/),
    });
  });

  it("rejects a top level without type or properties", () => {
    expect(problems({ properties: { a: { type: "string" } } })).toContainEqual({
      path: "output_schema.type",
      message: expect.stringMatching(/is required at the top level/),
    });
    expect(problems({ type: "object" })).toEqual([
      { path: "output_schema.properties", message: expect.stringMatching(/is required at the top level/) },
    ]);
  });

  it("accepts an object with no properties declared as empty", () => {
    expect(checkOutputSchema({ type: "object", properties: {} }).validate({}).ok).toBe(true);
  });
});

describe("output_schema: keywords outside the supported subset are rejected at their path", () => {
  it.each([
    ["oneOf", withField({ oneOf: [{ type: "string" }, { type: "integer" }] }), "output_schema.properties.x.oneOf", /use anyOf/],
    ["not", withField({ not: { type: "string" } }), "output_schema.properties.x.not", /negation/],
    ["if", withField({ type: "string", if: { minLength: 1 }, then: { maxLength: 3 } }), "output_schema.properties.x.if", /conditional/],
    ["then", withField({ type: "string", if: { minLength: 1 }, then: { maxLength: 3 } }), "output_schema.properties.x.then", /conditional/],
    ["else", withField({ type: "string", else: { maxLength: 3 } }), "output_schema.properties.x.else", /conditional/],
    ["patternProperties", withField({ type: "object", patternProperties: { "^a": { type: "string" } } }), "output_schema.properties.x.patternProperties", /not in the supported subset/],
    ["propertyNames", withField({ type: "object", propertyNames: { pattern: "^a" } }), "output_schema.properties.x.propertyNames", /not in the supported subset/],
    ["dependentSchemas", withField({ type: "object", properties: {}, dependentSchemas: {} }), "output_schema.properties.x.dependentSchemas", /not supported/],
    ["dependentRequired", withField({ type: "object", properties: {}, dependentRequired: {} }), "output_schema.properties.x.dependentRequired", /not supported/],
    ["prefixItems", withField({ type: "array", prefixItems: [{ type: "string" }] }), "output_schema.properties.x.prefixItems", /tuples/],
    ["tuple items", withField({ type: "array", items: [{ type: "string" }] }), "output_schema.properties.x.items", /tuples/],
    ["unevaluatedProperties", withField({ type: "object", unevaluatedProperties: false }), "output_schema.properties.x.unevaluatedProperties", /additionalProperties/],
    ["uniqueItems", withField({ type: "array", uniqueItems: true }), "output_schema.properties.x.uniqueItems", /not supported/],
    ["contains", withField({ type: "array", contains: { type: "string" } }), "output_schema.properties.x.contains", /not supported/],
    ["minProperties", withField({ type: "object", minProperties: 1 }), "output_schema.properties.x.minProperties", /not supported/],
    ["$id", { type: "object", properties: {}, $id: "https://example.com/album" }, "output_schema.$id", /identifiers/],
    ["nullable (OpenAPI)", withField({ type: "string", nullable: true }), "output_schema.properties.x.nullable", /"null"/],
    ["an unknown keyword", withField({ type: "string", minlength: 3 }), "output_schema.properties.x.minlength", /not in the supported subset/],
    ["a schema for additionalProperties", withField({ type: "object", additionalProperties: { type: "string" } }), "output_schema.properties.x.additionalProperties", /true or false/],
    ["a remote $ref", withField({ $ref: "https://example.com/song.json" }), "output_schema.properties.x.$ref", /remote references/],
    ["a $ref into properties", withField({ $ref: "#/properties/y" }), "output_schema.properties.x.$ref", /#\/\$defs\/<Name>/],
    ["a $ref to a missing definition", withField({ $ref: "#/$defs/Song" }), "output_schema.properties.x.$ref", /not defined/],
    ["allOf with two schemas", withField({ allOf: [{ type: "string" }, { minLength: 1 }] }), "output_schema.properties.x.allOf", /exactly one/],
    ["a boolean schema", withField(true), "output_schema.properties.x", /boolean schemas/],
    ["an unknown format", withField({ type: "string", format: "hostname" }), "output_schema.properties.x.format", /not a supported format/],
    ["a draft-04 exclusiveMinimum", withField({ type: "number", minimum: 0, exclusiveMinimum: true }), "output_schema.properties.x.exclusiveMinimum", /draft-04/],
    ["nested $defs", withField({ type: "object", $defs: {} }), "output_schema.properties.x.$defs", /top level/],
    ["an unknown type", withField({ type: "any" }), "output_schema.properties.x.type", /must be one of/],
    ["an unknown type in a list", withField({ type: ["string", "date"] }), "output_schema.properties.x.type[1]", /must be one of/],
    ["type beside $ref", { type: "object", properties: { x: { $ref: "#/$defs/A", type: "object" } }, $defs: { A: { type: "object" } } }, "output_schema.properties.x.type", /beside \$ref/],
    ["minLength beside enum", withField({ type: "string", enum: ["a"], minLength: 2 }), "output_schema.properties.x.minLength", /beside enum/],
    ["type beside anyOf", withField({ type: "string", anyOf: [{ type: "string" }] }), "output_schema.properties.x.type", /beside anyOf/],
    ["minLength without a type", withField({ minLength: 2 }), "output_schema.properties.x.minLength", /needs "type": "string"/],
    ["properties without a type", withField({ properties: { a: { type: "string" } } }), "output_schema.properties.x.properties", /needs "type": "object"/],
    ["minimum on a string", withField({ type: "string", minimum: 2 }), "output_schema.properties.x.minimum", /applies to number values, but type is "string"/],
    ["items on an object", withField({ type: ["object", "null"], items: {} }), "output_schema.properties.x.items", /applies to array values/],
    ["a required name not declared", { type: "object", properties: { a: { type: "string" } }, required: ["a", "b"] }, "output_schema.required[1]", /not declared in properties/],
    ["an enum value of another type", withField({ type: "integer", enum: [1, 2.5, "3"] }), "output_schema.properties.x.enum[1]", /is a number, but type is "integer"/],
    ["an object in enum", withField({ enum: [{ a: 1 }] }), "output_schema.properties.x.enum[0]", /string, number, boolean or null/],
    ["an empty enum", withField({ enum: [] }), "output_schema.properties.x.enum", /non-empty/],
    ["a repeated enum value", withField({ enum: ["a", "a"] }), "output_schema.properties.x.enum[1]", /repeats/],
    ["a const of another type", withField({ type: "string", const: 3 }), "output_schema.properties.x.const", /but type is "string"/],
    ["an invalid pattern", withField({ type: "string", pattern: "([a-z]" }), "output_schema.properties.x.pattern", /not a valid regular expression/],
    ["minLength above maxLength", withField({ type: "string", minLength: 5, maxLength: 2 }), "output_schema.properties.x.minLength", /greater than maxLength/],
    ["a negative minItems", withField({ type: "array", minItems: -1 }), "output_schema.properties.x.minItems", /non-negative integer/],
    ["a zero multipleOf", withField({ type: "number", multipleOf: 0 }), "output_schema.properties.x.multipleOf", /positive/],
    ["an empty anyOf", withField({ anyOf: [] }), "output_schema.properties.x.anyOf", /non-empty/],
    ["a non-string description", withField({ type: "string", description: 3 }), "output_schema.properties.x.description", /must be a string/],
    ["an empty property name", { type: "object", properties: { "": { type: "string" } } }, 'output_schema.properties[""]', /must not be empty/],
    ["an unknown $schema", { $schema: "http://json-schema.org/draft-04/schema#", type: "object", properties: {} }, "output_schema.$schema", /2020-12 or draft-07/],
    ["$defs and definitions together", { type: "object", properties: {}, $defs: {}, definitions: {} }, "output_schema.definitions", /together/],
  ])("rejects %s", (_, schema, path, message) => {
    expect(problems(schema)).toContainEqual({ path, message: expect.stringMatching(message) });
  });

  it("names paths inside $defs, anyOf options and oddly named properties", () => {
    const schema = {
      type: "object",
      properties: {
        "my field": { type: "strin" },
        maybe: { anyOf: [{ type: "string" }, { type: "null", format: "date" }] },
        songs: { type: "array", items: { $ref: "#/$defs/Song" } },
      },
      $defs: { Song: { type: "object", properties: { title: { oneOf: [] } } } },
    };
    expect(problems(schema)).toEqual([
      { path: 'output_schema.properties["my field"].type', message: expect.stringMatching(/must be one of/) },
      { path: "output_schema.properties.maybe.anyOf[1].format", message: expect.stringMatching(/applies to string values/) },
      { path: "output_schema.$defs.Song.properties.title.oneOf", message: expect.stringMatching(/use anyOf/) },
    ]);
  });

  it("lists every problem and summarizes them in the message", () => {
    const err = rejection({
      type: "object",
      properties: { a: { type: "text" }, b: { type: "array", items: [] }, c: { type: "string", format: "phone" } },
    });
    expect(err.details).toHaveLength(3);
    expect(err.message).toBe('output_schema has 3 problems; the first: output_schema.properties.a.type must be one of object, array, string, integer, number, boolean, null (or a list of them).');
    const one = rejection(withField({ type: "string", format: "phone" }));
    expect(one.message).toMatch(/^output_schema is not supported: output_schema\.properties\.x\.format "phone" is not a supported format/);
  });

  it("caps the listed problems", () => {
    const properties = Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`p${i}`, { type: "text" }]));
    const details = problems({ type: "object", properties });
    expect(details).toHaveLength(SCHEMA_LIMITS.maxReportedProblems + 1);
    expect(details.at(-1)).toEqual({ path: "output_schema", message: "30 more problems not listed" });
  });

  it("answers with an empty list for a good schema", () => {
    expect(listSchemaProblems({ type: "object", properties: { a: { type: "string" } } })).toEqual([]);
    expect(listSchemaProblems(withField({ type: "text" }))).toEqual([{ path: ["properties", "x", "type"], message: expect.any(String) }]);
  });
});

describe("output_schema: limits", () => {
  it(`rejects a schema over ${SCHEMA_LIMITS.maxBytes} bytes serialized`, () => {
    const big = withField({ type: "string", description: "x".repeat(SCHEMA_LIMITS.maxBytes) });
    expect(problems(big)).toEqual([{ path: "output_schema", message: expect.stringMatching(/bytes serialized; the limit is 32768/) }]);
    const fits = withField({ type: "string", description: "x".repeat(SCHEMA_LIMITS.maxBytes - 200) });
    expect(checkOutputSchema(fits).bytes).toBeLessThanOrEqual(SCHEMA_LIMITS.maxBytes);
    // Bytes, not characters: multi-byte text counts for what it weighs.
    expect(problems(withField({ type: "string", description: "é".repeat(SCHEMA_LIMITS.maxBytes / 2) }))).toHaveLength(1);
  });

  /** An object nested `levels` deep: {a: {a: … {a: string}}}. */
  function nested(levels: number): Record<string, unknown> {
    let node: Record<string, unknown> = { type: "string" };
    for (let i = 1; i < levels; i++) node = { type: "object", properties: { a: node } };
    return { type: "object", properties: { a: node } };
  }

  it(`accepts ${SCHEMA_LIMITS.maxDepth} levels of nesting and rejects one more, naming the deepest path`, () => {
    expect(checkOutputSchema(nested(SCHEMA_LIMITS.maxDepth)).depth).toBe(SCHEMA_LIMITS.maxDepth);
    expect(problems(nested(SCHEMA_LIMITS.maxDepth + 1))).toEqual([
      { path: "output_schema", message: "nests 11 levels deep (a.a.a.a.a.a.a.a.a.a.a); the limit is 10" },
    ]);
  });

  it("counts nesting through arrays and $refs", () => {
    const defs: Record<string, unknown> = { L5: { type: "array", items: { type: "string" } } };
    for (let i = 4; i >= 0; i--) {
      defs[`L${i}`] = { type: "object", properties: { next: { type: "array", items: { $ref: `#/$defs/L${i + 1}` } } } };
    }
    const schema = { type: "object", properties: { root: { $ref: "#/$defs/L0" } }, $defs: defs };
    expect(problems(schema)).toEqual([
      { path: "output_schema", message: "nests 12 levels deep (root.next[].next[].next[].next[].next[][]); the limit is 10" },
    ]);
  });

  it("counts nesting through pydantic v1's #/definitions/ references too", () => {
    const schema = { type: "object", properties: { a: { $ref: "#/definitions/A" } }, definitions: {} as Record<string, unknown> };
    let inner: Record<string, unknown> = { type: "string" };
    for (let i = 0; i < SCHEMA_LIMITS.maxDepth; i++) inner = { type: "object", properties: { a: inner } };
    schema.definitions.A = inner;
    expect(problems(schema)).toEqual([
      { path: "output_schema", message: "nests 11 levels deep (a.a.a.a.a.a.a.a.a.a.a); the limit is 10" },
    ]);
  });

  it("does not count a recursive $ref as unbounded nesting", () => {
    const schema = {
      type: "object",
      properties: { tree: { $ref: "#/$defs/Node" } },
      $defs: { Node: { type: "object", properties: { kids: { type: "array", items: { $ref: "#/$defs/Node" } } } } },
    };
    expect(checkOutputSchema(schema).depth).toBe(3);
  });

  it(`rejects more than ${SCHEMA_LIMITS.maxProperties} properties in all`, () => {
    const props = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`p${i}`, { type: "string" }]));
    expect(() => checkOutputSchema({ type: "object", properties: props(SCHEMA_LIMITS.maxProperties) })).not.toThrow();
    const half = props(SCHEMA_LIMITS.maxProperties / 2 + 1);
    // Definitions count too.
    expect(problems({ type: "object", properties: half, $defs: { D: { type: "object", properties: half } } })).toEqual([
      { path: "output_schema", message: "declares 258 properties; the limit is 256" },
    ]);
  });

  it(`rejects more than ${SCHEMA_LIMITS.maxEnumValues} enum values in all`, () => {
    const values = Array.from({ length: SCHEMA_LIMITS.maxEnumValues + 1 }, (_, i) => i);
    expect(problems(withField({ type: "integer", enum: values }))).toEqual([
      { path: "output_schema", message: "lists 501 enum values; the limit is 500" },
    ]);
  });

  it(`rejects an anyOf of more than ${SCHEMA_LIMITS.maxAnyOf} options`, () => {
    const options = Array.from({ length: SCHEMA_LIMITS.maxAnyOf + 1 }, (_, i) => ({ const: i }));
    expect(problems(withField({ anyOf: options }))).toEqual([
      { path: "output_schema.properties.x.anyOf", message: "has 17 options; the limit is 16" },
    ]);
  });

  it.each(["(a+)+$", "^(\\w+\\s?)*$", "((ab)*c)+", "(x{2,})*", "(?:[a-z]+\\.)+[a-z]{2,}\\d+(a*)*"])(
    "rejects the catastrophic-backtracking shape %s",
    (pattern) => {
      expect(problems(withField({ type: "string", pattern }))).toEqual([
        { path: "output_schema.properties.x.pattern", message: expect.stringMatching(/repeats a group that itself repeats/) },
      ]);
    },
  );

  it.each(["^[a-z]+$", "^\\d{4}-\\d{2}$", "(ab)+", "([a-z]{2})*", "^(\\+|-)?\\d+$", "[(]a+[)]+", "\\(a+\\)+"])(
    "accepts the ordinary pattern %s",
    (pattern) => {
      expect(() => checkOutputSchema(withField({ type: "string", pattern }))).not.toThrow();
    },
  );

  it("rejects an overly long pattern", () => {
    expect(problems(withField({ type: "string", pattern: "a".repeat(SCHEMA_LIMITS.maxPatternLength + 1) }))).toEqual([
      { path: "output_schema.properties.x.pattern", message: "is longer than 512 characters" },
    ]);
  });
});
