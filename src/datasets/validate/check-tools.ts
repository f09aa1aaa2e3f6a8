import type { FormatError } from "./kinds";

type Obj = Record<string, unknown>;

/** A plain JSON object (not null, not an array). */
export const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

// OpenAI's rule for function names (chat completions `tools[].function.name`).
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const TOOL_KEYS = new Set(["type", "function"]);
const FUNCTION_KEYS = new Set(["name", "description", "parameters", "strict"]);

/**
 * Checks top-level `tools` (`[{type: "function", function: {name, description?, parameters?,
 * strict?}}]`) and returns the declared names, so tool calls can be checked against them.
 */
export function checkTools(tools: unknown, errors: FormatError[]): Set<string> {
  const names = new Set<string>();
  const fail = (path: string, message: string) => errors.push({ kind: "invalid_tools", path, message });
  if (!Array.isArray(tools)) {
    fail("tools", "tools must be an array of {type: \"function\", function: {name, …}}");
    return names;
  }
  // The chat API refuses an empty `tools`; an example without tools simply leaves the key out.
  if (tools.length === 0) fail("tools", "tools is empty: leave the key out when the example has no tools");
  tools.forEach((tool, i) => {
    const path = `tools[${i}]`;
    if (!isObj(tool) || tool.type !== "function" || !isObj(tool.function)) {
      fail(path, `${path} must be {type: "function", function: {name, description?, parameters?}}`);
      return;
    }
    for (const key of Object.keys(tool)) if (!TOOL_KEYS.has(key)) fail(path, `${path} has unrecognized key "${key}"`);
    const fn = tool.function;
    for (const key of Object.keys(fn)) if (!FUNCTION_KEYS.has(key)) fail(`${path}.function`, `${path}.function has unrecognized key "${key}"`);
    if (typeof fn.name !== "string" || !FUNCTION_NAME.test(fn.name)) {
      fail(`${path}.function.name`, `${path}.function.name must be 1–64 letters, digits, _ or -`);
    } else if (names.has(fn.name)) {
      fail(`${path}.function.name`, `${path}.function.name "${fn.name}" is declared twice`);
    } else {
      names.add(fn.name);
    }
    if (fn.description !== undefined && typeof fn.description !== "string") {
      fail(`${path}.function.description`, `${path}.function.description must be a string`);
    }
    if (fn.parameters !== undefined && !isObj(fn.parameters)) {
      fail(`${path}.function.parameters`, `${path}.function.parameters must be a JSON Schema object`);
    }
    if (fn.strict !== undefined && typeof fn.strict !== "boolean") {
      fail(`${path}.function.strict`, `${path}.function.strict must be a boolean`);
    }
  });
  return names;
}

/** What the tool-call check needs to know about the example around the message. */
export interface ToolCallContext {
  /** Declared tool names, or undefined when the example has no `tools` (any name is then allowed). */
  tools: Set<string> | undefined;
  parallel: boolean | undefined;
  /** Ids of every tool call so far in the example; a tool message must answer one of them. */
  callIds: Set<string>;
}

/** Checks an assistant message's `tool_calls` and records their ids. */
export function checkToolCalls(calls: unknown, path: string, ctx: ToolCallContext, errors: FormatError[]): void {
  const fail = (kind: FormatError["kind"], p: string, message: string) => errors.push({ kind, path: p, message });
  if (!Array.isArray(calls) || calls.length === 0) {
    fail("invalid_tool_call", path, `${path} must be a non-empty array of {id, type: "function", function: {name, arguments}}`);
    return;
  }
  if (ctx.parallel === false && calls.length > 1) {
    fail("invalid_tool_call", path, `${path} has ${calls.length} calls but parallel_tool_calls is false`);
  }
  calls.forEach((call, i) => {
    const at = `${path}[${i}]`;
    if (!isObj(call) || call.type !== "function" || !isObj(call.function)) {
      fail("invalid_tool_call", at, `${at} must be {id, type: "function", function: {name, arguments}}`);
      return;
    }
    if (typeof call.id !== "string" || call.id === "") {
      fail("invalid_tool_call", `${at}.id`, `${at}.id must be a non-empty string (tool messages answer it by tool_call_id)`);
    } else if (ctx.callIds.has(call.id)) {
      fail("invalid_tool_call", `${at}.id`, `${at}.id "${call.id}" is used by an earlier tool call`);
    } else {
      ctx.callIds.add(call.id);
    }
    const { name, arguments: args } = call.function;
    if (typeof name !== "string" || name === "") {
      fail("invalid_tool_call", `${at}.function.name`, `${at}.function.name must be a non-empty string`);
    } else if (ctx.tools && !ctx.tools.has(name)) {
      const known = [...ctx.tools].map((n) => `"${n}"`).join(", ") || "none";
      fail("unknown_tool", `${at}.function.name`, `${at} calls "${name}", which is not among the example's tools (${known})`);
    }
    checkArguments(args, `${at}.function.arguments`, errors);
  });
}

// The API hands arguments over as JSON text, and fine-tuning files must too: an object here is
// the most common mistake in hand-written files.
function checkArguments(args: unknown, path: string, errors: FormatError[]): void {
  const fail = (message: string) => errors.push({ kind: "invalid_arguments", path, message });
  if (args === undefined) {
    fail(`${path} is missing: it must be a string of JSON, e.g. "{}"`);
    return;
  }
  if (typeof args !== "string") {
    fail(`${path} must be a string of JSON (e.g. JSON.stringify({...})), not ${jsonType(args)}`);
    return;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    fail(`${path} is not valid JSON`);
    return;
  }
  if (!isObj(parsed)) fail(`${path} must encode a JSON object, not ${jsonType(parsed)}`);
}

/** A JSON value's type for messages, with its article: "an object", "an array", "a string", "null". */
export function jsonType(v: unknown): string {
  if (v === null) return "null";
  const t = Array.isArray(v) ? "array" : typeof v;
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}
