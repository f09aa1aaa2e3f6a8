import type { z } from "zod";
import { invalidRequest, type OpenAIError } from "./errors";

/** `a.b[0].c` from a zod issue path, the way OpenAI names a `param`. */
export function paramPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

/** Translates the first zod issue into OpenAI's 400 wording and codes. */
export function zodToOpenAI(error: z.ZodError): OpenAIError {
  const issue = error.issues[0];
  if (!issue) return invalidRequest("Invalid request body.");
  const param = paramPath(issue.path);
  const where = param || "body";
  if (issue.code === "invalid_type" && /received undefined/.test(issue.message)) {
    return invalidRequest(`Missing required parameter: '${where}'.`, param || null, "missing_required_parameter");
  }
  if (issue.code === "invalid_type") {
    return invalidRequest(`Invalid type for '${where}': expected ${issue.expected}.`, param || null, "invalid_type");
  }
  if (issue.code === "unrecognized_keys") {
    return invalidRequest(`Unrecognized request argument supplied: ${issue.keys.join(", ")}`, param || null, "unknown_parameter");
  }
  return invalidRequest(`Invalid value for '${where}': ${issue.message}`, param || null, "invalid_value");
}

/** Parses with zod or throws OpenAI's 400. */
export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw zodToOpenAI(result.error);
  return result.data;
}

/** Parses a JSON body or throws the 400 OpenAI sends for unparsable JSON. */
export function readJsonText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalidRequest(
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
    );
  }
}
