import { describe, expect, it } from "vitest";
import {
  checkOutputSchema,
  fromStrictOutput,
  type OutputSchema,
  strictCompatible,
  type StrictCompatibility,
} from "../../src/programs/schema";

/** The strict version, failing the test when there is none or the schema already qualified. */
function strictVersion(result: StrictCompatibility): { schema: OutputSchema; reasons: string[] } {
  if (result.ok) throw new Error("expected the schema not to qualify as is");
  if (!result.strict) throw new Error(`expected a strict version; reasons: ${result.reasons.join("; ")}`);
  return { schema: result.strict, reasons: result.reasons };
}

const closed = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type: "object",
  properties,
  required: Object.keys(properties),
  additionalProperties: false,
  ...extra,
});

describe("strictCompatible", () => {
  it("qualifies a schema that already follows strict mode's rules, unchanged", () => {
    const schema = closed({
      name: { type: "string", description: "the name" },
      year: { type: ["integer", "null"], minimum: 1900 },
      kind: { type: "string", enum: ["lp", "ep"] },
      tags: { type: "array", items: { type: "string", pattern: "^[a-z]+$" }, maxItems: 5 },
      at: { type: "string", format: "date-time" },
    });
    expect(strictCompatible(schema)).toEqual({ ok: true, schema });
  });

  it("sets additionalProperties to false on every object, even where it was true", () => {
    const { schema, reasons } = strictVersion(
      strictCompatible({
        type: "object",
        properties: { inner: closed({ a: { type: "string" } }, { additionalProperties: true }) },
        required: ["inner"],
      }),
    );
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.inner!.additionalProperties).toBe(false);
    expect(reasons).toEqual(["additionalProperties set to false: output_schema.properties.inner, output_schema"]);
  });

  it("makes optional properties required and nullable, and fromStrictOutput drops the nulls again", () => {
    const original = {
      type: "object",
      properties: {
        title: { type: "string" },
        subtitle: { type: "string", description: "if any" },
        genre: { type: "string", enum: ["rock", "jazz"] },
        version: { const: 2 },
        label: { $ref: "#/$defs/Label", description: "the record label" },
        score: { anyOf: [{ type: "integer" }, { type: "string" }] },
      },
      required: ["title"],
      additionalProperties: false,
      $defs: { Label: closed({ name: { type: "string" } }) },
    };
    const { schema, reasons } = strictVersion(strictCompatible(original));
    expect(schema.required).toEqual(["title", "subtitle", "genre", "version", "label", "score"]);
    expect(schema.properties).toEqual({
      title: { type: "string" },
      subtitle: { type: ["string", "null"], description: "if any" },
      genre: { type: ["string", "null"], enum: ["rock", "jazz", null] },
      version: { anyOf: [{ const: 2 }, { type: "null" }] },
      // A $ref with a description is inlined (strict mode refuses siblings beside $ref), then made nullable.
      label: { ...closed({ name: { type: "string" } }), type: ["object", "null"], description: "the record label" },
      score: { anyOf: [{ type: "integer" }, { type: "string" }, { type: "null" }] },
    });
    expect(reasons).toContain(
      "optional properties made required and nullable (null stands for absent): " +
        ["subtitle", "genre", "version", "label", "score"].map((p) => `output_schema.properties.${p}`).join(", "),
    );
    // The strict version stays inside the supported subset.
    const strictChecked = checkOutputSchema(schema);
    const answer = { title: "T", subtitle: null, genre: null, version: null, label: null, score: 3 };
    expect(strictChecked.validate(answer).ok).toBe(true);
    // As sent by the model the nulls break the original; restored, the output passes it.
    const originalChecked = checkOutputSchema(original);
    expect(originalChecked.validate(answer).ok).toBe(false);
    expect(fromStrictOutput(answer, original)).toEqual({ title: "T", score: 3 });
    expect(originalChecked.validate(fromStrictOutput(answer, original)).ok).toBe(true);
  });

  it("keeps nullable optional properties as they are (pydantic's Optional[X] = None), so null stays", () => {
    const original = {
      type: "object",
      properties: {
        name: { type: "string" },
        year: { anyOf: [{ type: "integer" }, { type: "null" }], default: null, title: "Year" },
      },
      required: ["name"],
      additionalProperties: false,
    };
    const { schema, reasons } = strictVersion(strictCompatible(original));
    expect(schema.properties.year).toEqual({ anyOf: [{ type: "integer" }, { type: "null" }], title: "Year" });
    expect(reasons).toEqual([
      "default removed (an annotation strict mode refuses): output_schema.properties.year",
      "optional properties made required (they already accept null): output_schema.properties.year",
    ]);
    expect(fromStrictOutput({ name: "x", year: null }, original)).toEqual({ name: "x", year: null });
  });

  it("restores nulls inside arrays, $refs and anyOf options", () => {
    const original = {
      type: "object",
      properties: {
        songs: { type: "array", items: { $ref: "#/$defs/Song" } },
        extra: { anyOf: [{ $ref: "#/$defs/Song" }, { type: "string" }] },
      },
      required: ["songs", "extra"],
      $defs: { Song: { type: "object", properties: { title: { type: "string" }, note: { type: "string" } }, required: ["title"] } },
    };
    const { schema } = strictVersion(strictCompatible(original));
    const answer = { songs: [{ title: "a", note: null }, { title: "b", note: "live" }], extra: { title: "c", note: null } };
    expect(checkOutputSchema(schema).validate(answer).ok).toBe(true);
    expect(fromStrictOutput(answer, original)).toEqual({
      songs: [{ title: "a" }, { title: "b", note: "live" }],
      extra: { title: "c" },
    });
    expect(fromStrictOutput({ songs: [], extra: "plain" }, original)).toEqual({ songs: [], extra: "plain" });
  });

  it("removes keywords strict mode refuses and says they are still checked on validation", () => {
    const { schema, reasons } = strictVersion(
      strictCompatible(
        closed({
          name: { type: "string", minLength: 1, maxLength: 80, examples: ["Abbey Road"] },
          site: { type: "string", format: "uri" },
          released: { type: "string", format: "date" },
        }),
      ),
    );
    expect(schema.properties).toEqual({
      name: { type: "string" },
      site: { type: "string" },
      released: { type: "string", format: "date" },
    });
    expect(reasons).toEqual([
      "minLength removed (still checked on validation): output_schema.properties.name",
      "maxLength removed (still checked on validation): output_schema.properties.name",
      "examples removed (an annotation strict mode refuses): output_schema.properties.name",
      'format "uri" removed (still checked on validation): output_schema.properties.site',
    ]);
  });

  it("unwraps pydantic v1's single-schema allOf, keeping the outer description", () => {
    const { schema } = strictVersion(
      strictCompatible({
        ...closed({ song: { allOf: [{ $ref: "#/$defs/Song" }], description: "the single" } }),
        $defs: { Song: closed({ title: { type: "string" } }, { description: "a song" }) },
      }),
    );
    expect(schema.properties.song).toEqual({ ...closed({ title: { type: "string" } }), description: "the single" });
  });

  it("drops annotations beside a recursive $ref rather than inlining forever", () => {
    const { schema, reasons } = strictVersion(
      strictCompatible({
        ...closed({ tree: { $ref: "#/$defs/Node", description: "the root" } }),
        $defs: { Node: closed({ kids: { type: "array", items: { $ref: "#/$defs/Node" } } }) },
      }),
    );
    expect(schema.properties.tree).toEqual({ $ref: "#/$defs/Node" });
    expect(reasons).toEqual(["annotations beside a recursive $ref removed: output_schema.properties.tree"]);
  });

  it.each([
    ["a free-form object", { x: { type: "object" } }, /output_schema\.properties\.x: an object without declared properties/],
    ["any value", { x: { description: "anything" } }, /output_schema\.properties\.x: accepts any value/],
    ["an array without items", { x: { type: "array" } }, /output_schema\.properties\.x: an array without items/],
  ])("has no strict version for %s", (_, properties, reason) => {
    const result = strictCompatible(closed(properties));
    expect(result.ok).toBe(false);
    expect(result).not.toHaveProperty("strict");
    expect((result as { reasons: string[] }).reasons).toContainEqual(expect.stringMatching(reason));
  });
});
