import type { OutputSchema, SchemaInput } from "./types";
import { mapSchema } from "./walk";

/**
 * The normal form of a checked schema: `definitions` renamed `$defs` with its references
 * rewritten (zod reads `#/definitions/…` only under a draft-07 `$schema`), `$schema` dropped.
 * Idempotent, and cheap when there is nothing to rename; the input is never mutated.
 */
export function normalizeSchema(input: SchemaInput): OutputSchema {
  const root: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (key === "$schema") continue;
    const name = key === "definitions" ? "$defs" : key;
    Object.defineProperty(root, name, { value, enumerable: true, writable: true, configurable: true });
  }
  if (!Object.hasOwn(input, "definitions")) return root as unknown as OutputSchema;
  return mapSchema(root as unknown as OutputSchema, (node) =>
    typeof node.$ref === "string" ? { ...node, $ref: node.$ref.replace(/^#\/definitions\//, "#/$defs/") } : node,
  );
}
