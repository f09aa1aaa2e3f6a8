import { z } from "zod";
import { describeIssues, INTEGER_EXPECTED } from "./issues";
import { normalizeSchema } from "./normalize";
import { ANNOTATION_KEYWORDS } from "./subset";
import type { OutputSchema, OutputSchemaNode, OutputValidator, SchemaInput } from "./types";
import { canonicalJson, mapSchema } from "./walk";

/** Compiled validators kept per isolate; programs run many times with few distinct schemas. */
const MAX_CACHED = 128;
const cache = new Map<string, OutputValidator>();

/**
 * Compiles a checked output schema (as submitted or normalized) into a validator built on zod's
 * `z.fromJSONSchema`, cached by the schema's canonical JSON (annotations left out, keys sorted),
 * so equal schemas share one. The validator never rewrites the output: defaults are
 * annotations, and the `value` it answers with is its input.
 */
export function compileOutputValidator(schema: SchemaInput): OutputValidator {
  const view = validationView(normalizeSchema(schema));
  // The canonical text itself is the key: exact, so one tenant's schema can never collide with another's.
  const key = canonicalJson(view);
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  // zod skips `new Function` on workerd (it sees the Cloudflare user agent) and parses interpretively.
  const zodSchema = z.fromJSONSchema(view as Parameters<typeof z.fromJSONSchema>[0]);
  const validate: OutputValidator = (value) => {
    const result = zodSchema.safeParse(value, { error: markIntegers });
    return result.success ? { ok: true, value } : { ok: false, errors: describeIssues(result.error.issues, value) };
  };
  cache.set(key, validate);
  if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
  return validate;
}

/**
 * What zod sees: the schema without annotations, since zod would apply `default` to missing
 * values (rewriting the output, and accepting a missing required property) and file titles and
 * examples in a registry. An array without `items` gets `items: {}`, because zod 4.6.7 drops
 * minItems/maxItems on an array that has no items schema.
 */
export function validationView(schema: OutputSchema): OutputSchema {
  return mapSchema(schema, (node) => {
    const out: OutputSchemaNode = {};
    for (const [key, value] of Object.entries(node)) {
      if (!ANNOTATION_KEYWORDS.has(key)) (out as Record<string, unknown>)[key] = value;
    }
    const types = node.type === undefined ? [] : [node.type].flat();
    if (types.includes("array") && out.items === undefined) out.items = {};
    return out;
  });
}

/**
 * zod reports a string given for an integer as "expected number" (the type check runs before the
 * integer check); this error map marks those issues so that the message can say "integer".
 */
function markIntegers(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code !== "invalid_type" || issue.expected !== "number") return undefined;
  const checks = (issue.inst as z.core.$ZodType | undefined)?._zod.def.checks ?? [];
  return checks.some((check) => (check._zod.def as { format?: string }).format === "safeint") ? INTEGER_EXPECTED : undefined;
}

/** SHA-256 (hex) of a schema's canonical JSON, annotations included: a stable id for a schema version. */
export async function schemaHash(schema: SchemaInput): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(canonicalJson(schema)));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
