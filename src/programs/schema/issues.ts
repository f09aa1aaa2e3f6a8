import type { z } from "zod";
import { formatPath, valueAt } from "./paths";
import type { JsonPath, OutputError } from "./types";

type Issue = z.core.$ZodIssue;

/** The message the validator's error map gives an "expected number" issue raised by an integer schema. */
export const INTEGER_EXPECTED = "expected integer";

/** Errors listed for one output; a model asked to fix its output gains nothing from more. */
export const MAX_OUTPUT_ERRORS = 50;

const FORMATS: Record<string, string> = {
  email: "an email address",
  url: "a URI (scheme included, such as https://…)",
  date: "a date (YYYY-MM-DD)",
  datetime: "a date-time (RFC 3339, such as 2024-05-01T12:00:00Z, with a time zone)",
  uuid: "a UUID",
};

/** Turns zod's issues into readable `{path, message}` errors in JSON Schema's words (`expected integer, got "3"`). */
export function describeIssues(issues: readonly Issue[], input: unknown): OutputError[] {
  const errors: OutputError[] = [];
  for (const issue of issues) collect(issue, [], input, errors);
  if (errors.length <= MAX_OUTPUT_ERRORS) return errors;
  const shown = errors.slice(0, MAX_OUTPUT_ERRORS);
  shown.push({ path: "", message: `${errors.length - MAX_OUTPUT_ERRORS} more errors not listed` });
  return shown;
}

/** Renders errors one per line, `(root)` for the root: what a model is shown when asked to fix its output. */
export function formatOutputErrors(errors: readonly OutputError[]): string {
  return errors.map((e) => `- ${e.path || "(root)"}: ${e.message}`).join("\n");
}

function collect(issue: Issue, prefix: JsonPath, input: unknown, out: OutputError[]): void {
  const path = [...prefix, ...issue.path.map((k) => (typeof k === "number" ? k : String(k)))];
  const push = (message: string, at: JsonPath = path): void => {
    out.push({ path: formatPath(at), message });
  };
  const value = valueAt(input, path);
  switch (issue.code) {
    case "invalid_type":
      if (isMissing(input, path)) return push("is required but missing");
      return push(`expected ${typeName(issue)}, got ${describeValue(value)}`);
    case "invalid_value":
      return push(`expected ${issue.values.map((v) => JSON.stringify(v)).join(" or ")}, got ${describeValue(value)}`);
    case "invalid_union": {
      const expected = expectations(issue.errors);
      if (expected) return push(`expected ${[...new Set(expected)].join(" or ")}, got ${describeValue(value)}`);
      // Report the option that got past the value's type (its problems lie inside the value), the one with fewest problems.
      const best = [...issue.errors]
        .filter((branch) => expectations([branch]) === undefined)
        .sort((a, b) => a.length - b.length)[0];
      if (!best) return push("does not match any of the allowed options");
      for (const inner of best) collect(inner, path, input, out);
      return;
    }
    case "unrecognized_keys":
      for (const key of issue.keys) push("is not an allowed property (additionalProperties is false)", [...path, key]);
      return;
    case "too_small":
      return push(bound(issue.origin, "at least", "more than", issue.minimum, issue.inclusive));
    case "too_big":
      return push(
        bound(issue.origin, "at most", "less than", issue.maximum, issue.inclusive) +
          (issue.origin === "int" ? " (integers must be within ±9007199254740991)" : ""),
      );
    case "invalid_format":
      if (issue.format === "regex") return push(`must match the pattern ${issue.pattern ?? ""}`.trim());
      return push(`must be ${FORMATS[issue.format] ?? `in ${issue.format} format`}`);
    case "not_multiple_of":
      return push(`must be a multiple of ${issue.divisor}`);
    default:
      return push(issue.message);
  }
}

/** What a union's options expected, when every option failed on the value's type or value alone. */
function expectations(branches: readonly (readonly Issue[])[]): string[] | undefined {
  const out: string[] = [];
  for (const branch of branches) {
    for (const issue of branch) {
      if (issue.path.length > 0) return undefined;
      if (issue.code === "invalid_type") out.push(typeName(issue));
      else if (issue.code === "invalid_value") out.push(...issue.values.map((v) => JSON.stringify(v)));
      else if (issue.code === "invalid_union") {
        const inner = expectations(issue.errors);
        if (!inner) return undefined;
        out.push(...inner);
      } else return undefined;
    }
  }
  return out;
}

function isMissing(input: unknown, path: JsonPath): boolean {
  if (path.length === 0) return false;
  const parent = valueAt(input, path.slice(0, -1));
  return parent !== null && typeof parent === "object" && !Array.isArray(parent) && !Object.hasOwn(parent, path.at(-1)!);
}

function typeName(issue: { expected: string; message: string }): string {
  return issue.expected === "int" || issue.message === INTEGER_EXPECTED ? "integer" : issue.expected;
}

function bound(origin: string, inclusiveWord: string, exclusiveWord: string, limit: number | bigint, inclusive?: boolean) {
  const word = inclusive === false ? exclusiveWord : inclusiveWord;
  if (origin === "string") return `must be ${word} ${limit} characters long`;
  if (origin === "array") return `must have ${word} ${limit} items`;
  return `must be ${word} ${limit}`;
}

/** A short description of a value for an error message: `"abc"`, `3.5`, `an array (3 items)`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return `an array (${value.length} item${value.length === 1 ? "" : "s"})`;
  if (value !== null && typeof value === "object") return "an object";
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}
