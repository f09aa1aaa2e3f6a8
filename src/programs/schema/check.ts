import { ApiError } from "../../errors";
import { checkNode, type NodeContext } from "./check-node";
import { nestingDepth } from "./depth";
import { normalizeSchema } from "./normalize";
import { formatPath, isPlainObject } from "./paths";
import { SCHEMA_LIMITS } from "./subset";
import { JSON_TYPES, type JsonPath, type OutputSchema, type OutputValidator, type SchemaProblem } from "./types";
import { compileOutputValidator } from "./validator";

/** A program's output schema that passed `checkOutputSchema`, with its compiled validator. */
export interface CheckedSchema {
  /** The normalized schema: a JSON copy, `definitions` renamed `$defs`, `$schema` dropped. */
  schema: OutputSchema;
  validate: OutputValidator;
  /** Serialized size (UTF-8 bytes) and nesting depth, for logs and limits. */
  bytes: number;
  depth: number;
}

export interface CheckOptions {
  /** Where the schema sits in the request body; problems' paths start with it. */
  path?: string;
}

const SCHEMA_URIS = new Set([
  "https://json-schema.org/draft/2020-12/schema",
  "http://json-schema.org/draft-07/schema#",
  "http://json-schema.org/draft-07/schema",
]);
const DEF_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

/**
 * Validates a program's output schema on create: an object at the top, the supported subset,
 * the size, depth and count limits. Throws `validation_failed` (400) listing every problem at
 * its path (`output_schema.properties.songs.items.type`); returns the normalized schema and
 * its compiled validator.
 */
export function checkOutputSchema(input: unknown, options: CheckOptions = {}): CheckedSchema {
  const base = options.path ?? "output_schema";
  const found = findSchemaProblems(input);
  if ("problems" in found) throw schemaError(base, found.problems);
  const schema = normalizeSchema(found.json);
  let validate: OutputValidator;
  try {
    validate = compileOutputValidator(schema);
  } catch (err) {
    // Every supported keyword is pinned by a test, so this means zod changed under us.
    throw schemaError(base, [{ path: [], message: `could not be compiled: ${(err as Error).message}` }]);
  }
  return { schema, validate, bytes: found.bytes, depth: found.depth };
}

/** Every problem with a candidate output schema (an empty list when it is fine), paths relative to it. */
export function listSchemaProblems(input: unknown): { path: JsonPath; message: string }[] {
  const found = findSchemaProblems(input);
  return "problems" in found ? found.problems : [];
}

type Found =
  | { problems: { path: JsonPath; message: string }[] }
  | { json: Record<string, unknown>; bytes: number; depth: number };

function findSchemaProblems(input: unknown): Found {
  if (!isPlainObject(input)) {
    return { problems: [{ path: [], message: 'must be a JSON object: a schema with "type": "object" and properties' }] };
  }
  let text: string;
  try {
    text = JSON.stringify(input);
  } catch {
    return { problems: [{ path: [], message: "must be plain JSON" }] };
  }
  const bytes = new TextEncoder().encode(text).byteLength;
  if (bytes > SCHEMA_LIMITS.maxBytes) {
    return { problems: [{ path: [], message: `is ${bytes} bytes serialized; the limit is ${SCHEMA_LIMITS.maxBytes}` }] };
  }
  // Work on a JSON copy: what the API stored is what gets checked, getters and prototypes gone.
  const json = JSON.parse(text) as Record<string, unknown>;
  const problems: { path: JsonPath; message: string }[] = [];
  const report = (path: JsonPath, message: string) => problems.push({ path, message });

  // An unknown type name is left to checkNode; here a missing type, a list, or another real type.
  if (json.type === undefined) report(["type"], 'is required at the top level and must be "object"');
  else if (Array.isArray(json.type)) report(["type"], 'must be "object" at the top level (not a list of types)');
  else if (json.type !== "object" && (JSON_TYPES as readonly unknown[]).includes(json.type)) {
    report(["type"], 'must be "object" at the top level');
  }
  if (json.properties === undefined) report(["properties"], "is required at the top level: an output is an object with named fields");
  if (json.$schema !== undefined && !SCHEMA_URIS.has(json.$schema as string)) {
    report(["$schema"], "must be the draft 2020-12 or draft-07 meta-schema URI (or be left out)");
  }

  const defsKey = Object.hasOwn(json, "$defs") ? "$defs" : Object.hasOwn(json, "definitions") ? "definitions" : undefined;
  if (defsKey === "$defs" && Object.hasOwn(json, "definitions")) report(["definitions"], "cannot be used together with $defs");
  const defs = defsKey ? json[defsKey] : undefined;
  if (defsKey && !isPlainObject(defs)) report([defsKey], "must be an object mapping names to schemas");
  const defEntries = isPlainObject(defs) ? Object.entries(defs) : [];
  const ctx: NodeContext = {
    problems,
    defsKey,
    defNames: new Set(defEntries.map(([name]) => name)),
    counts: { properties: 0, enumValues: 0 },
  };
  checkNode(json, [], ctx, true);
  for (const [name, def] of defEntries) {
    if (!DEF_NAME.test(name)) report([defsKey!, name], "definition names may use letters, digits, _, . and - (up to 128)");
    checkNode(def, [defsKey!, name], ctx);
  }
  if (ctx.counts.properties > SCHEMA_LIMITS.maxProperties) {
    report([], `declares ${ctx.counts.properties} properties; the limit is ${SCHEMA_LIMITS.maxProperties}`);
  }
  if (ctx.counts.enumValues > SCHEMA_LIMITS.maxEnumValues) {
    report([], `lists ${ctx.counts.enumValues} enum values; the limit is ${SCHEMA_LIMITS.maxEnumValues}`);
  }
  if (problems.length > 0) return { problems: dedupe(problems) };

  // Measured on the normal form, where every reference reads #/$defs/<Name>.
  const depth = nestingDepth(normalizeSchema(json));
  if (depth.levels > SCHEMA_LIMITS.maxDepth) {
    return {
      problems: [
        { path: [], message: `nests ${depth.levels} levels deep (${depth.path}); the limit is ${SCHEMA_LIMITS.maxDepth}` },
      ],
    };
  }
  return { json, bytes, depth: depth.levels };
}

function dedupe(problems: { path: JsonPath; message: string }[]) {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = JSON.stringify(p);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The 400 for a schema's problems: every problem (up to a limit) with its full path. */
export function schemaError(base: string, problems: readonly { path: JsonPath; message: string }[]): ApiError {
  const details: SchemaProblem[] = problems
    .slice(0, SCHEMA_LIMITS.maxReportedProblems)
    .map((p) => ({ path: formatPath(p.path, base), message: p.message }));
  if (problems.length > details.length) {
    details.push({ path: base, message: `${problems.length - details.length} more problems not listed` });
  }
  const first = `${details[0]!.path} ${details[0]!.message}`;
  const message =
    problems.length === 1 ? `${base} is not supported: ${first}.` : `${base} has ${problems.length} problems; the first: ${first}.`;
  return new ApiError("validation_failed", message, { details });
}
