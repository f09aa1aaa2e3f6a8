import { isObject, type JsonSchema } from "./schema";

/** Every balanced, parseable JSON object in the text, in order (strings inside are respected). */
export function findJsonObjects(text: string, limit = 20): unknown[] {
  const out: unknown[] = [];
  // Bounded attempts: prose or code full of unbalanced braces must not cost O(n²).
  let attempts = 0;
  for (let start = text.indexOf("{"); start !== -1 && out.length < limit && attempts++ < 200; ) {
    const end = matchingBrace(text, start);
    if (end !== -1) {
      try {
        out.push(JSON.parse(text.slice(start, end + 1)) as unknown);
        start = text.indexOf("{", end + 1);
        continue;
      } catch {
        // Not JSON (prose with braces): try the next brace.
      }
    }
    start = text.indexOf("{", start + 1);
  }
  return out;
}

/**
 * The text with every embedded JSON Schema removed (a JSON-mode prompt carries its schema;
 * the schema's words are instructions, not content to answer from).
 */
export function stripJsonSchemas(text: string): string {
  let out = "";
  let from = 0;
  let attempts = 0;
  for (let start = text.indexOf("{"); start !== -1 && attempts++ < 200; ) {
    const end = matchingBrace(text, start);
    if (end === -1) break;
    let isSchema = false;
    try {
      isSchema = findSchema(JSON.parse(text.slice(start, end + 1))) !== null;
    } catch {
      // prose with braces
    }
    if (isSchema) {
      out += text.slice(from, start);
      from = end + 1;
      start = text.indexOf("{", end + 1);
    } else {
      start = text.indexOf("{", start + 1);
    }
  }
  return out + text.slice(from);
}

function matchingBrace(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === "{") depth++;
    else if (ch === "}" && --depth === 0) return i;
  }
  return -1;
}

const SCHEMA_TYPES = new Set(["object", "array", "string", "integer", "number", "boolean"]);

function looksLikeSchema(value: JsonSchema): boolean {
  return isObject(value.properties) || (typeof value.type === "string" && SCHEMA_TYPES.has(value.type) && (value.items !== undefined || Array.isArray(value.enum)));
}

/** The schema object inside a found JSON value (wrappers like {"name", "schema": {...}} included). */
function findSchema(value: unknown, depth = 0): JsonSchema | null {
  if (!isObject(value) || depth > 4) return null;
  if (looksLikeSchema(value)) return value;
  for (const key of ["schema", "json_schema", "parameters", "format", "output_schema"]) {
    const inner = findSchema(value[key], depth + 1);
    if (inner) return inner;
  }
  return null;
}

/** A schema describing an example value ({"questions": ["..."]} → object with a string array). */
export function inferSchema(value: unknown): JsonSchema {
  if (Array.isArray(value)) return { type: "array", items: value.length ? inferSchema(value[0]) : { type: "string" } };
  if (isObject(value)) {
    const properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, inferSchema(v)]));
    return { type: "object", properties, required: Object.keys(properties) };
  }
  if (typeof value === "number") return { type: Number.isInteger(value) ? "integer" : "number" };
  if (typeof value === "boolean") return { type: "boolean" };
  return { type: "string" };
}

/** The JSON Schema given in a prompt, else a schema inferred from an example JSON object, else null. */
export function schemaFromPrompt(text: string): { schema: JsonSchema; inferred: boolean } | null {
  const found = findJsonObjects(text);
  for (const value of found) {
    const schema = findSchema(value);
    if (schema) return { schema, inferred: false };
  }
  const example = found.find((v) => isObject(v) && Object.keys(v).length > 0);
  return example ? { schema: inferSchema(example), inferred: true } : null;
}

/** Whether the prompt asks for JSON output. */
export function asksForJson(text: string): boolean {
  return /\bjson\b/i.test(text);
}
