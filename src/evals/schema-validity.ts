import { extractJson } from "../programs/json-text";
import { compileOutputValidator, type OutputError, type SchemaInput } from "../programs/schema";

/*
 * Schema validity: the output parses and validates against the program's output schema, or, for a
 * row with no program (imports, captures), against the row's own tool parameters or
 * `response_format` schema. No schema to check against → undetermined, not valid.
 */

export interface SchemaValidityResult {
  score: number | null;
  undetermined: string | null;
  errors: OutputError[];
}

/**
 * `output` is the parsed value when the caller has one; otherwise `raw` (tool arguments or content)
 * is parsed here. An answer a program had to repair (`repaired`) was not valid as the model gave it:
 * 0, because a repair turn would otherwise hide exactly what this metric measures.
 */
export function schemaValidity(input: { schema: SchemaInput | null; output?: unknown; raw?: string | null; repaired?: boolean }): SchemaValidityResult {
  if (!input.schema) return { score: null, undetermined: "no_schema", errors: [] };
  if (input.repaired) return { score: 0, undetermined: null, errors: [{ path: "", message: "the answer needed the program's repair turn" }] };
  let value = input.output;
  if (value === undefined || value === null) {
    if (input.raw === undefined || input.raw === null || input.raw === "") return { score: 0, undetermined: null, errors: [{ path: "", message: "no output" }] };
    const parsed = extractJson(input.raw);
    if (!parsed.ok) return { score: 0, undetermined: null, errors: [{ path: "", message: parsed.error }] };
    value = parsed.value;
  }
  let validate: ReturnType<typeof compileOutputValidator>;
  try {
    validate = compileOutputValidator(input.schema);
  } catch {
    return { score: null, undetermined: "schema_unsupported", errors: [] };
  }
  const checked = validate(value);
  return checked.ok ? { score: 1, undetermined: null, errors: [] } : { score: 0, undetermined: null, errors: checked.errors };
}

interface ExampleShape {
  messages?: Array<{ role?: string; tool_calls?: Array<{ function?: { name?: string } }> }>;
  tools?: Array<{ function?: { name?: string; parameters?: SchemaInput } }>;
  response_format?: { type?: string; json_schema?: { schema?: SchemaInput } };
}

/**
 * The schema a row with no program is held to: the parameters of the tool its answer calls (the
 * only tool when the answer calls none), else its `response_format` JSON schema, else none.
 */
export function exampleSchema(example: unknown): SchemaInput | null {
  const ex = (example ?? {}) as ExampleShape;
  const tools = ex.tools ?? [];
  if (tools.length) {
    const answer = [...(ex.messages ?? [])].reverse().find((m) => m.role === "assistant");
    const called = answer?.tool_calls?.[0]?.function?.name;
    const tool = called ? tools.find((t) => t.function?.name === called) : tools.length === 1 ? tools[0] : undefined;
    if (tool?.function?.parameters) return tool.function.parameters;
  }
  if (ex.response_format?.type === "json_schema" && ex.response_format.json_schema?.schema) return ex.response_format.json_schema.schema;
  return null;
}
