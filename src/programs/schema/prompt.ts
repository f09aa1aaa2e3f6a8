import { SUPPORTED_KEYWORDS } from "./subset";
import { normalizeSchema } from "./normalize";
import type { OutputSchemaNode, SchemaInput } from "./types";
import { mapSchema } from "./walk";

// Keyword order in the rendering: what a node is first, its fields next, definitions last.
const LEAD = ["type", "description"];
const ORDER = [...LEAD, ...Object.keys(SUPPORTED_KEYWORDS).filter((k) => !LEAD.includes(k) && k !== "$defs"), "$defs"];
// pydantic titles every field with its own name ("title": "Length Seconds"): noise to a model.
const OMITTED = new Set(["title", "$schema"]);

/**
 * The schema as compact text for JSON-mode prompts, in the words of LlamaIndex's
 * PydanticOutputParser. Deterministic: keywords in a fixed order, properties and definitions in
 * the schema's own order (the order a model should write them). The text holds JSON braces, so
 * insert it after any `{variable}` template substitution, not before.
 */
export function schemaPromptText(schema: SchemaInput): string {
  return `Here's a JSON schema to follow:\n${compactSchemaJson(schema)}\n\nOutput a valid JSON object but do not repeat the schema.`;
}

/** The schema as one line of JSON, titles left out, keywords in a fixed order. */
export function compactSchemaJson(schema: SchemaInput): string {
  const ordered = mapSchema(normalizeSchema(schema), (node) => {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(node).sort(byKeywordOrder)) {
      if (!OMITTED.has(key)) out[key] = (node as Record<string, unknown>)[key];
    }
    return out as OutputSchemaNode;
  });
  return JSON.stringify(ordered);
}

function byKeywordOrder(a: string, b: string): number {
  const rank = (key: string) => (ORDER.includes(key) ? ORDER.indexOf(key) : ORDER.length);
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}
