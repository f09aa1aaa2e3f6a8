/** The JSON types an output schema may name in `type`. */
export const JSON_TYPES = ["object", "array", "string", "integer", "number", "boolean", "null"] as const;
export type JsonType = (typeof JSON_TYPES)[number];

/** A JSON value, as a model's output or a schema's `default` can be. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The scalar values `enum` and `const` may hold (zod compares them with `===`). */
export type JsonScalar = string | number | boolean | null;

/**
 * One schema node of the supported subset (see SUPPORTED_KEYWORDS). A type alias, not an
 * interface, so that it is assignable to plain records (`Record<string, …>`) callers store.
 */
export type OutputSchemaNode = {
  type?: JsonType | JsonType[];
  description?: string;
  title?: string;
  default?: JsonValue;
  examples?: JsonValue[];
  // object
  properties?: Record<string, OutputSchemaNode>;
  required?: string[];
  additionalProperties?: boolean;
  // array
  items?: OutputSchemaNode;
  minItems?: number;
  maxItems?: number;
  // string
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  // number and integer
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  // values and composition
  enum?: JsonScalar[];
  const?: JsonScalar;
  anyOf?: OutputSchemaNode[];
  allOf?: OutputSchemaNode[];
  $ref?: string;
};

/** A program's output schema after normalization: an object at the top, definitions under `$defs`. */
export type OutputSchema = OutputSchemaNode & {
  type: "object";
  properties: Record<string, OutputSchemaNode>;
  $defs?: Record<string, OutputSchemaNode>;
};

/** A schema that passed `checkOutputSchema`, as submitted (e.g. straight from storage) or normalized. */
export type SchemaInput = OutputSchemaNode | { readonly [key: string]: unknown };

/** One problem in a model's output, at a readable path such as `songs[2].length_seconds` ("" is the root). */
export interface OutputError {
  path: string;
  message: string;
}

/** What a compiled validator answers: the input, unchanged, or every problem found. */
export type ValidationResult = { ok: true; value: unknown } | { ok: false; errors: OutputError[] };

/** Validates one model output against a program's output schema. */
export type OutputValidator = (value: unknown) => ValidationResult;

/** One problem in an output schema, at a path such as `output_schema.properties.songs.items.type`. */
export interface SchemaProblem {
  path: string;
  message: string;
}

/** A path inside a JSON document, as keys and array indexes. */
export type JsonPath = readonly (string | number)[];
