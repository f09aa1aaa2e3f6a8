import fc from "fast-check";
import type { JsonSchema } from "./spec";

/**
 * Values for the fuzz, from the JSON Schemas /openapi.json carries: schema-valid values whose
 * strings are adversarial (within the declared lengths and patterns), and the wrong-typed values a
 * field should never take. Hand-written: fast-check has no JSON Schema reader, and the API's
 * schemas use a small subset (type, enum, bounds, pattern, properties, items, anyOf).
 */

/** Strings that have broken parsers, encoders, templates, prototypes and terminals somewhere. */
export const NASTY_STRINGS = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\ud800",
  "x\udfff",
  "\u202egnp.exe",
  "a\u2066b\u2069",
  "\u200b",
  "\ufeff",
  "../../../etc/passwd",
  "..%2f..%2f",
  "%00",
  "%ZZ",
  "%2e%2e",
  "<script>alert(1)</script>",
  "' OR '1'='1",
  '"; DROP TABLE rows; --',
  "__proto__",
  "constructor",
  "toString",
  "{context_str}",
  "{query_str}",
  "{",
  "}{",
  "{{n}}",
  "$(id)",
  "\r\n\r\nX-Injected: 1",
  "\t",
  "null",
  "NaN",
  "-1",
  "1e309",
  "0x10",
  "ｆｕｌｌｗｉｄｔｈ",
  "🎉".repeat(8),
  "e\u0301".repeat(8),
  "ﷺ".repeat(4),
  "A".repeat(300),
];

/** A string within `[min, max]` code units: cut (a cut may split a surrogate pair, on purpose) or padded. */
function fit(s: string, min: number | undefined, max: number | undefined): string {
  let out = max !== undefined ? s.slice(0, max) : s;
  if (min !== undefined && out.length < min) out = out + "a".repeat(min - out.length);
  return out;
}

/** An adversarial string of the schema's length bounds (patterns aside). */
export function adversarialString(min?: number, max?: number): fc.Arbitrary<string> {
  const huge = fc.integer({ min: 1_000, max: 60_000 }).chain((n) => fc.constantFrom("x".repeat(n), "é".repeat(n), "🎉".repeat(n / 2), "a ".repeat(n / 2)));
  return fc
    .oneof(
      { weight: 4, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }) },
      { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
      { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 24 }) },
      { weight: 1, arbitrary: huge },
    )
    .map((s) => fit(s, min, max));
}

/** A plausible, plain value for a string (what a careful client sends): letters and digits. */
function plainString(min?: number, max?: number): fc.Arbitrary<string> {
  return fc.stringMatching(/^[a-z][a-z0-9 -]{0,15}$/).map((s) => fit(s, min, max));
}

function typesOf(schema: JsonSchema): string[] {
  if (Array.isArray(schema.type)) return schema.type;
  if (typeof schema.type === "string") return [schema.type];
  if (schema.properties) return ["object"];
  if (schema.items) return ["array"];
  return [];
}

export interface ValueOptions {
  /** Field name → values that name something the world has (a program, a dataset), tried half the time. */
  hints: Record<string, string[]>;
}

/** A value the schema accepts, with adversarial strings where it allows them. */
export function valueOf(schema: JsonSchema, opts: ValueOptions, field = "", depth = 0): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum?.length) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map((s) => valueOf(s, opts, field, depth + 1)));
  const types = typesOf(schema);
  if (types.length === 0) return fc.jsonValue({ maxDepth: 2 });
  return fc.oneof(...types.map((type) => valueOfType(type, schema, opts, field, depth)));
}

function valueOfType(type: string, schema: JsonSchema, opts: ValueOptions, field: string, depth: number): fc.Arbitrary<unknown> {
  switch (type) {
    case "null":
      return fc.constant(null);
    case "boolean":
      return fc.boolean();
    case "integer":
    case "number": {
      const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + (type === "integer" ? 1 : 1e-9) : undefined);
      const max = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - (type === "integer" ? 1 : 1e-9) : undefined);
      if (type === "integer") {
        const lo = Math.max(min ?? -1_000_000, Number.MIN_SAFE_INTEGER);
        const hi = Math.min(max ?? 1_000_000, Number.MAX_SAFE_INTEGER);
        return fc.oneof(fc.integer({ min: lo, max: hi }), fc.constantFrom(...[lo, hi, 0, 1, -1].filter((n) => n >= lo && n <= hi)));
      }
      return fc.double({ min: min ?? -1e12, max: max ?? 1e12, noNaN: true, noDefaultInfinity: true });
    }
    case "string": {
      const hinted = opts.hints[field];
      const own = schema.pattern
        ? fc.oneof({ weight: 4, arbitrary: fc.stringMatching(new RegExp(schema.pattern)) }, { weight: 1, arbitrary: adversarialString(schema.minLength, schema.maxLength) })
        : fc.oneof({ weight: 2, arbitrary: plainString(schema.minLength, schema.maxLength) }, { weight: 3, arbitrary: adversarialString(schema.minLength, schema.maxLength) });
      return hinted?.length ? fc.oneof(fc.constantFrom(...hinted), own) : own;
    }
    case "array": {
      const item = schema.items ?? {};
      const minLength = schema.minItems ?? 0;
      const maxLength = Math.max(minLength, Math.min(schema.maxItems ?? 4, 4));
      return fc.array(valueOf(item, opts, field, depth + 1), { minLength, maxLength });
    }
    case "object": {
      const props = schema.properties ?? {};
      const required = new Set(schema.required ?? []);
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, prop] of Object.entries(props)) model[name] = depth > 4 ? fc.constant(null) : valueOf(prop, opts, name, depth + 1);
      const known = fc.record(model, { requiredKeys: [...required].filter((k) => k in props) });
      const extra = schema.additionalProperties;
      if (!extra || depth > 4) return known;
      const values = extra === true ? fc.jsonValue({ maxDepth: 1 }) : valueOf(extra, opts, field, depth + 1);
      const keys = fc.oneof(fc.stringMatching(/^[a-z_][a-z0-9_]{0,12}$/), fc.constantFrom(...NASTY_STRINGS.slice(0, 24)));
      return fc.tuple(known, fc.dictionary(keys, values, { maxKeys: 3 })).map(([a, b]) => ({ ...b, ...(a as object) }));
    }
    default:
      return fc.jsonValue({ maxDepth: 1 });
  }
}

/** A value of a type the schema does not allow (a string where a number goes, an object where a string goes, …). */
export function wrongTypeOf(schema: JsonSchema): fc.Arbitrary<unknown> {
  const types = new Set(typesOf(schema));
  const all: [string, fc.Arbitrary<unknown>][] = [
    ["string", fc.constantFrom("12", "true", "", "x")],
    ["number", fc.constantFrom(1.5, -0.25, 1e300, Number.MAX_SAFE_INTEGER + 2)],
    ["integer", fc.constantFrom(7, -7)],
    ["boolean", fc.boolean()],
    ["null", fc.constant(null)],
    ["array", fc.constantFrom([], [1, "a"], [[]])],
    // An own `__proto__` key, as JSON.parse makes it (an object literal would set the prototype instead).
    ["object", fc.constantFrom({}, { a: 1 }, JSON.parse('{"__proto__": {"polluted": true}}'))],
  ];
  // A number where an integer goes is "wrong" only when fractional.
  const wrong = all.filter(([t]) => !types.has(t) && !(t === "integer" && types.has("number")));
  if (schema.enum?.length) wrong.push(["enum", fc.constantFrom("not-a-choice", "NULL", "")]);
  return fc.oneof(...(wrong.length ? wrong : all).map(([, a]) => a));
}

/** Values that break encoders rather than parsers: each string field of each operation meets every one. */
export const HOSTILE_STRINGS = ["\ud800", "x\udc00y", "\u0000", "a\u202eb", "\r\nX-Injected: 1", "%00%2e%2e%ZZ", "../../etc/passwd", "x".repeat(70_000)];

/** The plainest value the schema takes: required fields only, hinted names, the first choice, the lower bound. */
export function baseValue(schema: JsonSchema, opts: ValueOptions, field = "", depth = 0): unknown {
  if (schema.const !== undefined) return schema.const;
  if (schema.enum?.length) return schema.enum[0];
  if (schema.default !== undefined) return schema.default;
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives?.length) return baseValue(alternatives[0]!, opts, field, depth + 1);
  const type = typesOf(schema).filter((t) => t !== "null")[0];
  switch (type) {
    case "string":
      return opts.hints[field]?.[0] ?? fit("fuzz", schema.minLength, schema.maxLength);
    case "integer":
    case "number":
      return schema.minimum ?? (schema.maximum !== undefined ? Math.min(1, schema.maximum) : 1);
    case "boolean":
      return false;
    case "array":
      return Array.from({ length: schema.minItems ?? 0 }, () => baseValue(schema.items ?? {}, opts, field, depth + 1));
    case "object":
      if (depth > 4) return {};
      return Object.fromEntries((schema.required ?? []).filter((k) => schema.properties?.[k]).map((k) => [k, baseValue(schema.properties![k]!, opts, k, depth + 1)]));
    default:
      return null;
  }
}

/** The string fields a sweep sets (top level of an object body, not choices from an enum). */
export function stringFields(schema: JsonSchema): string[] {
  return Object.entries(schema.properties ?? {})
    .filter(([, p]) => !p.enum && typesOf(p).includes("string") && p.format !== "binary")
    .map(([name]) => name);
}
