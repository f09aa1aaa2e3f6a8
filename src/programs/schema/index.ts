export { type CheckedSchema, type CheckOptions, checkOutputSchema, listSchemaProblems, schemaError } from "./check";
export { normalizeSchema } from "./normalize";
export { describeIssues, describeValue, formatOutputErrors, MAX_OUTPUT_ERRORS } from "./issues";
export { formatPath } from "./paths";
export { compactSchemaJson, schemaPromptText } from "./prompt";
export { acceptsNull, fromStrictOutput, type StrictCompatibility, strictCompatible } from "./strict";
export {
  ANNOTATION_KEYWORDS,
  SCHEMA_LIMITS,
  SUPPORTED_FORMATS,
  SUPPORTED_KEYWORDS,
  type SupportedKeyword,
} from "./subset";
export {
  JSON_TYPES,
  type JsonPath,
  type JsonScalar,
  type JsonType,
  type JsonValue,
  type OutputError,
  type OutputSchema,
  type OutputSchemaNode,
  type OutputValidator,
  type SchemaInput,
  type SchemaProblem,
  type ValidationResult,
} from "./types";
export { compileOutputValidator, schemaHash, validationView } from "./validator";
