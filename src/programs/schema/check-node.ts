import { isPlainObject } from "./paths";
import { hasNestedQuantifier } from "./pattern-risk";
import {
  ANNOTATION_KEYWORDS,
  KEYWORD_TYPE,
  ROOT_ONLY_KEYWORDS,
  SCHEMA_LIMITS,
  SUPPORTED_FORMATS,
  SUPPORTED_KEYWORDS,
  UNSUPPORTED_HINTS,
} from "./subset";
import { JSON_TYPES, type JsonPath, type JsonType } from "./types";

/** Where the walk collects problems and counts, shared by every node of one schema. */
export interface NodeContext {
  problems: { path: JsonPath; message: string }[];
  /** Which key holds the definitions, when there are any. */
  defsKey?: "$defs" | "definitions";
  defNames: ReadonlySet<string>;
  counts: { properties: number; enumValues: number };
}

type Node = Record<string, unknown>;

const COMPOSITION = ["$ref", "anyOf", "allOf"] as const;
const VALUE_KEYWORDS = ["enum", "const"] as const;
const NON_NEGATIVE_INTEGERS = ["minItems", "maxItems", "minLength", "maxLength"] as const;
const NUMBERS = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"] as const;
const BOUND_PAIRS = [
  ["minItems", "maxItems"],
  ["minLength", "maxLength"],
  ["minimum", "maximum"],
] as const;
const REF = /^#\/(\$defs|definitions)\/([^/]+)$/;

/** Checks one schema node against the supported subset, then its subschemas; problems go to `ctx`. */
export function checkNode(node: unknown, path: JsonPath, ctx: NodeContext, atRoot = false): void {
  const report = (at: JsonPath, message: string) => ctx.problems.push({ path: at, message });
  if (!isPlainObject(node)) {
    report(
      path,
      typeof node === "boolean" ? "boolean schemas are not supported; use {} for any value" : "must be a schema (a JSON object)",
    );
    return;
  }
  const has = (key: string) => Object.hasOwn(node, key);
  const keys = Object.keys(node).filter((key) => !(atRoot && ROOT_ONLY_KEYWORDS.has(key)));
  const composition = COMPOSITION.find(has);
  const valueKeyword = VALUE_KEYWORDS.find(has);
  const refused = new Set<string>();

  for (const key of keys) {
    const at = [...path, key];
    if (!Object.hasOwn(SUPPORTED_KEYWORDS, key)) {
      report(at, `is not in the supported subset of JSON Schema${hint(key)}`);
    } else if (ROOT_ONLY_KEYWORDS.has(key)) {
      report(at, "is only allowed at the top level (the validator reads definitions from the root)");
    } else if (composition && key !== composition && !ANNOTATION_KEYWORDS.has(key)) {
      // zod resolves a $ref (and builds anyOf/allOf) without reading most siblings, so they would mean nothing.
      report(at, `cannot sit beside ${composition}: only description, title, default and examples can`);
    } else if (valueKeyword && key !== valueKeyword && key !== "type" && !ANNOTATION_KEYWORDS.has(key)) {
      // zod turns enum/const into literals and ignores other constraints beside them.
      report(at, `cannot sit beside ${valueKeyword}: only type and annotations can`);
    } else {
      continue;
    }
    refused.add(key);
  }
  const ok = (key: string) => has(key) && !refused.has(key);

  const types = ok("type") ? checkType(node.type, [...path, "type"], report) : undefined;
  const typeUnknown = has("type") && types === undefined;
  for (const key of keys) {
    const need = KEYWORD_TYPE[key];
    if (!need || !ok(key) || typeUnknown) continue;
    if (!types) {
      report([...path, key], `needs "type": "${need}" beside it (without a type the validator skips it)`);
      refused.add(key);
    } else if (!types.some((t) => t === need || (need === "number" && t === "integer"))) {
      report([...path, key], `applies to ${need} values, but type is ${describeTypes(types)}`);
      refused.add(key);
    }
  }

  for (const key of NON_NEGATIVE_INTEGERS) {
    if (ok(key) && !(Number.isSafeInteger(node[key]) && (node[key] as number) >= 0)) {
      report([...path, key], "must be a non-negative integer");
      refused.add(key);
    }
  }
  for (const key of NUMBERS) {
    if (ok(key) && !isFiniteNumber(node[key])) {
      const draft4 = typeof node[key] === "boolean" && key.startsWith("exclusive");
      report([...path, key], draft4 ? "must be a number (the draft-04 boolean form is not supported)" : "must be a number");
      refused.add(key);
    }
  }
  for (const [low, high] of BOUND_PAIRS) {
    if (ok(low) && ok(high) && (node[low] as number) > (node[high] as number)) {
      report([...path, low], `is greater than ${high}, so no value could match`);
    }
  }
  if (ok("multipleOf") && !(isFiniteNumber(node.multipleOf) && node.multipleOf > 0)) {
    report([...path, "multipleOf"], "must be a positive number");
  }
  if (ok("pattern")) checkPattern(node.pattern, [...path, "pattern"], report);
  if (ok("format") && !(SUPPORTED_FORMATS as readonly unknown[]).includes(node.format)) {
    report([...path, "format"], `${JSON.stringify(node.format)} is not a supported format (supported: ${SUPPORTED_FORMATS.join(", ")})`);
  }
  for (const key of ["description", "title"]) {
    if (ok(key) && typeof node[key] !== "string") report([...path, key], "must be a string");
  }
  if (ok("examples") && !Array.isArray(node.examples)) report([...path, "examples"], "must be a list of example values");
  if (ok("enum")) checkEnum(node.enum, types, [...path, "enum"], ctx);
  if (ok("const")) checkScalar(node.const, types, [...path, "const"], report);
  if (ok("additionalProperties") && typeof node.additionalProperties !== "boolean") {
    report([...path, "additionalProperties"], "must be true or false (a schema for extra properties is not supported)");
  }

  const properties = ok("properties") ? node.properties : undefined;
  if (properties !== undefined) {
    if (!isPlainObject(properties)) {
      report([...path, "properties"], "must be an object mapping property names to schemas");
    } else {
      for (const [name, child] of Object.entries(properties)) {
        ctx.counts.properties += 1;
        if (name === "") report([...path, "properties", name], "property names must not be empty");
        checkNode(child, [...path, "properties", name], ctx);
      }
    }
  }
  if (ok("required")) checkRequired(node.required, isPlainObject(properties) ? properties : {}, [...path, "required"], report);
  if (ok("items")) {
    if (Array.isArray(node.items)) report([...path, "items"], "tuples are not supported; give items a single schema");
    else checkNode(node.items, [...path, "items"], ctx);
  }
  if (ok("anyOf")) checkAnyOf(node.anyOf, [...path, "anyOf"], ctx);
  if (ok("allOf")) {
    if (!Array.isArray(node.allOf) || node.allOf.length !== 1) {
      report([...path, "allOf"], "must hold exactly one schema (the way pydantic v1 annotates a $ref); use anyOf or $ref");
    } else {
      checkNode(node.allOf[0], [...path, "allOf", 0], ctx);
    }
  }
  if (ok("$ref")) checkRef(node.$ref, [...path, "$ref"], ctx);
}

type Report = (at: JsonPath, message: string) => void;

function hint(key: string): string {
  const why = Object.hasOwn(UNSUPPORTED_HINTS, key) ? UNSUPPORTED_HINTS[key] : undefined;
  return why ? `: ${why}` : "";
}

function checkType(type: unknown, at: JsonPath, report: Report): JsonType[] | undefined {
  const list = Array.isArray(type) ? type : [type];
  if (list.length === 0) {
    report(at, "must not be an empty list");
    return undefined;
  }
  const bad = list.findIndex((t) => !(JSON_TYPES as readonly unknown[]).includes(t));
  if (bad >= 0) {
    report(Array.isArray(type) ? [...at, bad] : at, `must be one of ${JSON_TYPES.join(", ")} (or a list of them)`);
    return undefined;
  }
  if (new Set(list).size !== list.length) {
    report(at, "must not repeat a type");
    return undefined;
  }
  return list as JsonType[];
}

function describeTypes(types: readonly JsonType[]): string {
  return types.length === 1 ? `"${types[0]}"` : JSON.stringify(types);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

function checkPattern(pattern: unknown, at: JsonPath, report: Report): void {
  if (typeof pattern !== "string") return report(at, "must be a string");
  if (pattern.length > SCHEMA_LIMITS.maxPatternLength) {
    return report(at, `is longer than ${SCHEMA_LIMITS.maxPatternLength} characters`);
  }
  try {
    // The same constructor zod uses (no flags): what compiles here compiles there.
    new RegExp(pattern);
  } catch (err) {
    return report(at, `is not a valid regular expression: ${(err as Error).message}`);
  }
  if (hasNestedQuantifier(pattern)) {
    report(at, "repeats a group that itself repeats (like (a+)+), which can backtrack for minutes; simplify it");
  }
}

function scalarType(value: unknown): JsonType | "integer" | undefined {
  if (value === null) return "null";
  if (typeof value === "string" || typeof value === "boolean") return typeof value as JsonType;
  if (isFiniteNumber(value)) return Number.isInteger(value) ? "integer" : "number";
  return undefined;
}

function checkScalar(value: unknown, types: JsonType[] | undefined, at: JsonPath, report: Report): boolean {
  const kind = scalarType(value);
  if (!kind) {
    report(at, "must be a string, number, boolean or null (objects and lists are not supported here)");
    return false;
  }
  const fits = !types || types.includes(kind) || (kind === "integer" && types.includes("number"));
  if (!fits) report(at, `is ${kind === "null" ? "null" : `a ${kind}`}, but type is ${describeTypes(types)}`);
  return fits;
}

function checkEnum(values: unknown, types: JsonType[] | undefined, at: JsonPath, ctx: NodeContext): void {
  const report: Report = (p, message) => ctx.problems.push({ path: p, message });
  if (!Array.isArray(values) || values.length === 0) return report(at, "must be a non-empty list of values");
  ctx.counts.enumValues += values.length;
  const seen = new Set<unknown>();
  values.forEach((value, i) => {
    if (!checkScalar(value, types, [...at, i], report)) return;
    if (seen.has(value)) report([...at, i], `repeats ${JSON.stringify(value)}`);
    seen.add(value);
  });
}

function checkRequired(required: unknown, properties: Record<string, unknown>, at: JsonPath, report: Report): void {
  if (!Array.isArray(required)) return report(at, "must be a list of property names");
  const seen = new Set<string>();
  required.forEach((name, i) => {
    if (typeof name !== "string") return report([...at, i], "must be a property name (a string)");
    if (seen.has(name)) report([...at, i], `repeats "${name}"`);
    // zod only enforces required names that have a schema under properties.
    else if (!Object.hasOwn(properties, name)) report([...at, i], `names "${name}", which is not declared in properties`);
    seen.add(name);
  });
}

function checkAnyOf(options: unknown, at: JsonPath, ctx: NodeContext): void {
  if (!Array.isArray(options) || options.length === 0) {
    ctx.problems.push({ path: at, message: "must be a non-empty list of schemas" });
    return;
  }
  if (options.length > SCHEMA_LIMITS.maxAnyOf) {
    ctx.problems.push({ path: at, message: `has ${options.length} options; the limit is ${SCHEMA_LIMITS.maxAnyOf}` });
  }
  options.forEach((option, i) => checkNode(option, [...at, i], ctx));
}

function checkRef(ref: unknown, at: JsonPath, ctx: NodeContext): void {
  const report: Report = (p, message) => ctx.problems.push({ path: p, message });
  if (typeof ref !== "string") return report(at, "must be a string such as #/$defs/Song");
  if (!ref.startsWith("#")) return report(at, "remote references are not supported; put the schema under $defs and use #/$defs/<Name>");
  const match = REF.exec(ref);
  if (!match) return report(at, "must point to a definition: #/$defs/<Name>");
  const [, key, name] = match;
  if (key !== ctx.defsKey || !ctx.defNames.has(name!)) {
    report(at, `points to ${ref}, which is not defined${ctx.defsKey ? ` under ${ctx.defsKey}` : " ($defs is missing)"}`);
  }
}
