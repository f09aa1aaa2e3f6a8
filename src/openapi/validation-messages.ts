import type { z } from "@hono/zod-openapi";
import { ApiError } from "../errors";

/**
 * zod's default messages ("Invalid input: expected string, received undefined") speak zod;
 * a caller needs the field and what to send ("name is required", "name must be a string").
 * Messages a schema wrote itself (a refine's, a custom error) are kept as written.
 */
const ZOD_DEFAULT = /^(Invalid |Too (small|big)|Unrecognized key)/;

type Issue = z.core.$ZodIssue;

export function userMessage(issue: Issue, where: string): string {
  const field = issue.path.length > 0 ? issue.path.map(String).join(".") : `the request ${where}`;
  if (!ZOD_DEFAULT.test(issue.message)) return issue.path.length > 0 ? `${field}: ${issue.message}` : issue.message;
  switch (issue.code) {
    case "invalid_type":
      if (/received undefined$/.test(issue.message)) return `${field} is required`;
      return `${field} must be ${article(typeName(issue.expected))}${received(issue.message)}`;
    case "too_small":
      return `${field} must ${bound(issue.origin, issue.minimum, issue.inclusive, "least")}`;
    case "too_big":
      return `${field} must ${bound(issue.origin, issue.maximum, issue.inclusive, "most")}`;
    case "invalid_value":
      return issue.values.length === 1
        ? `${field} must be ${show(issue.values[0])}`
        : `${field} must be one of ${issue.values.map(show).join(", ")}`;
    case "invalid_format":
      return issue.format === "regex"
        ? `${field} has the wrong format (it must match ${(issue as { pattern?: string }).pattern ?? "the documented pattern"})`
        : `${field} must be a valid ${FORMATS[issue.format] ?? issue.format}`;
    case "not_multiple_of":
      return `${field} must be a multiple of ${String(issue.divisor)}`;
    case "unrecognized_keys":
      return `${issue.keys.length === 1 ? "unknown field" : "unknown fields"} ${issue.keys.join(", ")}${
        issue.path.length > 0 ? ` in ${field}` : ""
      }: see /docs for the fields this route takes`;
    case "invalid_union":
      return `${field} does not match any of the accepted forms (see /docs)`;
    case "invalid_key":
      return `${field} has a key that is not valid`;
    case "invalid_element":
      return `${field} has an element that is not valid`;
    default:
      return `${field} is not valid`;
  }
}

const FORMATS: Record<string, string> = {
  url: "URL",
  email: "email address",
  uuid: "UUID",
  datetime: "ISO 8601 date and time",
  date: "ISO 8601 date (YYYY-MM-DD)",
  base64: "base64 string",
};

function typeName(expected: string): string {
  if (expected === "int") return "integer";
  if (expected === "nonoptional") return "value";
  return expected;
}

function article(noun: string): string {
  if (noun === "array") return "a list";
  if (noun === "object") return "an object";
  return /^[aeiou]/i.test(noun) ? `an ${noun}` : `a ${noun}`;
}

/** zod's "received X" tail, kept as "(got X)" when it says something. */
function received(message: string): string {
  const got = /received (\w+)$/.exec(message)?.[1];
  return got ? ` (got ${got === "array" ? "a list" : got === "null" ? "null" : article(got)})` : "";
}

function bound(origin: string, limit: number | bigint, inclusive: boolean | undefined, side: "least" | "most"): string {
  const n = String(limit);
  const plural = (unit: string) => `${n} ${unit}${n === "1" ? "" : "s"}`;
  const at = inclusive === false ? (side === "least" ? "more than" : "fewer than") : `at ${side}`;
  switch (origin) {
    case "string":
      return `have ${at} ${plural("character")}`;
    case "array":
    case "set":
      return `have ${at} ${plural("item")}`;
    case "file":
      return `be ${at} ${plural("byte")}`;
    default: {
      const cmp = inclusive === false ? (side === "least" ? "greater than" : "less than") : `at ${side}`;
      return `be ${cmp} ${n}`;
    }
  }
}

function show(value: unknown): string {
  return typeof value === "string" ? `"${value}"` : String(value);
}

/** One `validation_failed` error for zod issues: the first issue's message, every issue in details. */
export function validationError(where: string, issues: readonly Issue[]): ApiError {
  const details = issues.map((i) => ({ path: i.path.map(String).join("."), message: userMessage(i, where), code: i.code }));
  const first = details[0];
  return new ApiError("validation_failed", first ? `Invalid request ${where}: ${first.message}` : `Invalid request ${where}.`, { details });
}
