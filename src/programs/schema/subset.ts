import type { JsonType } from "./types";

/*
 * The supported subset of JSON Schema (draft 2020-12 vocabulary) for program output schemas.
 * Validation runs on zod 4.6.7's `z.fromJSONSchema`; each keyword below is one whose conversion we
 * read in zod's source and pin with a test in test/programs/schema.keywords.test.ts. Anything else
 * is refused on create, because zod either ignores it silently (unknown formats, `required` names
 * without a property, keywords beside `$ref`) or does not handle it (`if`/`then`/`else`, …).
 *
 * | keyword                  | applies to | what the validator does (zod 4.6.7)                                   |
 * |--------------------------|------------|-----------------------------------------------------------------------|
 * | type                     | any        | one of object, array, string, integer, number, boolean, null, or a    |
 * |                          |            | non-empty array of them (["string","null"] is a union)                |
 * | properties               | object     | z.object(shape); each value a schema                                  |
 * | required                 | object     | listed properties must be present; each must be in `properties`       |
 * | additionalProperties     | object     | false → unknown keys rejected; true / absent → allowed (passthrough)  |
 * | items                    | array      | one schema for every element (no tuples)                              |
 * | minItems, maxItems       | array      | length bounds                                                         |
 * | minLength, maxLength     | string     | length bounds, counted in code points as JSON Schema says             |
 * | pattern                  | string     | `new RegExp(pattern)` (no flags), unanchored: a plain RegExp, no eval;|
 * |                          |            | a repeated group that repeats inside, like (a+)+, is refused (ReDoS)  |
 * | format                   | string     | date, date-time (offset required), email, uri, uuid; others refused   |
 * | minimum, maximum         | number     | inclusive bounds                                                      |
 * | exclusiveMinimum/Maximum | number     | exclusive bounds, as numbers (draft-04 booleans refused)              |
 * | multipleOf               | number     | divisibility, float-safe (0.07 is a multiple of 0.01)                 |
 * | enum                     | any        | one of the listed scalars (string, number, boolean, null)             |
 * | const                    | any        | exactly this scalar                                                   |
 * | anyOf                    | any        | union: matches at least one option (Optional[X] is anyOf [X, null])   |
 * | allOf                    | any        | exactly one option: pydantic v1's way to annotate a `$ref`            |
 * | $ref                     | any        | local `#/$defs/<Name>` (or `#/definitions/<Name>`), recursion allowed |
 * | $defs, definitions       | top level  | named schemas for `$ref` (pydantic emits them for nested models)      |
 * | $schema                  | top level  | draft 2020-12 or draft-07 URI; dropped on normalization               |
 * | description, title       | any        | annotations: shown to the model, not validated                        |
 * | default, examples        | any        | annotations: not applied, not validated (the output is not rewritten) |
 *
 * Type-specific keywords need a `type` that includes their type, since zod (like JSON Schema)
 * skips them otherwise; `$ref`, `anyOf` and `allOf` take annotations only beside them; `enum` and
 * `const` take `type` and annotations only. Integers must be within the safe integer range
 * (±2^53-1): zod refuses larger ones, which a JSON parser could not hold exactly anyway.
 *
 * What zod 4.6.7 gets wrong on its own, and how validator.ts keeps it out of reach: it applies
 * `default` to missing values (annotations are stripped before zod sees the schema), it drops
 * minItems/maxItems on an array without `items` (such arrays get `items: {}`), and it reports a
 * string given for an integer as "expected number" (an error map says "integer").
 * Limits (SCHEMA_LIMITS): 32 KiB serialized, 10 levels of nesting, 256 properties, 500 enum values.
 */

/** The keywords of the supported subset, what they apply to, and how zod enforces them. */
export const SUPPORTED_KEYWORDS = {
  type: { appliesTo: "any", note: "object, array, string, integer, number, boolean, null, or an array of them" },
  properties: { appliesTo: "object", note: "a schema per property" },
  required: { appliesTo: "object", note: "names that must be present; each must be declared in properties" },
  additionalProperties: { appliesTo: "object", note: "true or false only; false rejects unknown keys" },
  items: { appliesTo: "array", note: "a single schema for every element" },
  minItems: { appliesTo: "array", note: "non-negative integer" },
  maxItems: { appliesTo: "array", note: "non-negative integer" },
  minLength: { appliesTo: "string", note: "non-negative integer, in code points" },
  maxLength: { appliesTo: "string", note: "non-negative integer, in code points" },
  pattern: { appliesTo: "string", note: "ECMAScript regular expression, unanchored, no flags, no nested repeats" },
  format: { appliesTo: "string", note: "date, date-time, email, uri, uuid" },
  minimum: { appliesTo: "number", note: "inclusive bound" },
  maximum: { appliesTo: "number", note: "inclusive bound" },
  exclusiveMinimum: { appliesTo: "number", note: "exclusive bound (a number)" },
  exclusiveMaximum: { appliesTo: "number", note: "exclusive bound (a number)" },
  multipleOf: { appliesTo: "number", note: "positive number" },
  enum: { appliesTo: "any", note: "non-empty list of distinct scalars" },
  const: { appliesTo: "any", note: "a scalar" },
  anyOf: { appliesTo: "any", note: "non-empty list of schemas; annotations only beside it" },
  allOf: { appliesTo: "any", note: "exactly one schema (pydantic v1 $ref wrapper); annotations only beside it" },
  $ref: { appliesTo: "any", note: "#/$defs/<Name> or #/definitions/<Name>; annotations only beside it" },
  $defs: { appliesTo: "root", note: "named schemas" },
  definitions: { appliesTo: "root", note: "named schemas (renamed to $defs)" },
  $schema: { appliesTo: "root", note: "draft 2020-12 or draft-07; dropped" },
  description: { appliesTo: "any", note: "annotation" },
  title: { appliesTo: "any", note: "annotation" },
  default: { appliesTo: "any", note: "annotation, not applied" },
  examples: { appliesTo: "any", note: "annotation, a list" },
} as const satisfies Record<string, { appliesTo: "any" | "root" | "object" | "array" | "string" | "number"; note: string }>;

export type SupportedKeyword = keyof typeof SUPPORTED_KEYWORDS;

/** String formats zod checks with a RegExp or `new URL` (no eval); any other format is refused. */
export const SUPPORTED_FORMATS = ["date", "date-time", "email", "uri", "uuid"] as const;

/** Limits on an output schema, checked on create. */
export const SCHEMA_LIMITS = {
  /** Serialized size, UTF-8 bytes. */
  maxBytes: 32 * 1024,
  /** Levels of properties/items nesting in an output (`a.b[].c` is 3), following `$ref`s. */
  maxDepth: 10,
  /** Properties declared across the whole schema, definitions included. */
  maxProperties: 256,
  /** Enum values across the whole schema. */
  maxEnumValues: 500,
  /** Options of one anyOf. */
  maxAnyOf: 16,
  /** Characters of one `pattern` (a long pattern is more likely to backtrack badly). */
  maxPatternLength: 512,
  /** Problems listed in one 400 answer. */
  maxReportedProblems: 50,
} as const;

/** Annotations: shown to models, never validated, allowed beside `$ref`, `anyOf`, `allOf`, `enum`, `const`. */
export const ANNOTATION_KEYWORDS: ReadonlySet<string> = new Set(["description", "title", "default", "examples"]);

/** Keywords allowed only at the top level (zod reads definitions from the root alone). */
export const ROOT_ONLY_KEYWORDS: ReadonlySet<string> = new Set(["$defs", "definitions", "$schema"]);

/** The type a type-specific keyword needs beside it ("number" also accepts "integer"). */
export const KEYWORD_TYPE: Readonly<Record<string, "object" | "array" | "string" | "number">> = {
  properties: "object",
  required: "object",
  additionalProperties: "object",
  items: "array",
  minItems: "array",
  maxItems: "array",
  minLength: "string",
  maxLength: "string",
  pattern: "string",
  format: "string",
  minimum: "number",
  maximum: "number",
  exclusiveMinimum: "number",
  exclusiveMaximum: "number",
  multipleOf: "number",
};

/** Why a well-known keyword outside the subset is refused, and what to write instead. */
export const UNSUPPORTED_HINTS: Readonly<Record<string, string>> = {
  oneOf: "use anyOf (oneOf's exactly-one rule is rarely what an output means)",
  not: "negation is not supported",
  if: "conditional schemas (if/then/else) are not supported",
  then: "conditional schemas (if/then/else) are not supported",
  else: "conditional schemas (if/then/else) are not supported",
  patternProperties: "declare each property under properties",
  propertyNames: "declare each property under properties",
  dependentSchemas: "not supported",
  dependentRequired: "not supported",
  dependencies: "not supported",
  prefixItems: "tuples are not supported; use items with one schema",
  additionalItems: "tuples are not supported; use items with one schema",
  unevaluatedProperties: "use additionalProperties: false",
  unevaluatedItems: "not supported",
  contains: "not supported",
  uniqueItems: "not supported",
  minProperties: "not supported",
  maxProperties: "not supported",
  $id: "schema identifiers are not supported; use $defs and #/$defs/<Name> references",
  $anchor: "anchors are not supported; use $defs and #/$defs/<Name> references",
  $dynamicRef: "not supported",
  nullable: 'OpenAPI\'s nullable is not JSON Schema; use "type": ["string", "null"] or anyOf with {"type": "null"}',
};

/** Types named by a `type` value, or undefined when there is no `type`. */
export function typesOf(type: unknown): JsonType[] | undefined {
  if (type === undefined) return undefined;
  return (Array.isArray(type) ? type : [type]) as JsonType[];
}
