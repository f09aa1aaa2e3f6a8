import { checkToolCalls, checkTools, isObj, jsonType, type ToolCallContext } from "./check-tools";
import type { FormatError, FormatErrorKind } from "./kinds";

type Role = "system" | "developer" | "user" | "assistant" | "tool";

// Keys each role may carry in OpenAI's chat fine-tuning format. The cookbook allows
// role/content/name/function_call/weight on every message; the current format moved
// function calling to `tool_calls` + role "tool", and `weight` only means something on
// the assistant's turns (0 = shown as context, not trained on).
const MESSAGE_KEYS: Record<Role, ReadonlySet<string>> = {
  system: new Set(["role", "content", "name"]),
  developer: new Set(["role", "content", "name"]),
  user: new Set(["role", "content", "name"]),
  assistant: new Set(["role", "content", "name", "weight", "tool_calls", "refusal"]),
  tool: new Set(["role", "content", "tool_call_id"]),
};
const EXAMPLE_KEYS = new Set(["messages", "tools", "parallel_tool_calls"]);
const LEGACY =
  'uses the deprecated "functions"/"function_call" format: declare "tools" ([{type: "function", function}]) and answer with "tool_calls" on the assistant message (results in role "tool" messages)';

/**
 * Checks one example against OpenAI's chat fine-tuning format: the cookbook's seven error
 * kinds, extended for `tools`, `parallel_tool_calls`, assistant `tool_calls` (which need no
 * content), `tool` messages answering an earlier call, `weight` and `name`. Empty when valid.
 */
export function checkExample(value: unknown): FormatError[] {
  const errors: FormatError[] = [];
  const add = (kind: FormatErrorKind, path: string, message: string) => errors.push({ kind, path, message });
  if (!isObj(value)) {
    add("data_type", "", `an example must be a JSON object, not ${jsonType(value)}`);
    return errors;
  }
  for (const key of Object.keys(value)) {
    if (key === "functions") add("legacy_functions", "functions", `the example ${LEGACY}`);
    else if (!EXAMPLE_KEYS.has(key)) add("example_unrecognized_key", key, `unrecognized key "${key}" (an example has messages, tools?, parallel_tool_calls?)`);
  }
  const ctx: ToolCallContext = { tools: undefined, parallel: undefined, callIds: new Set() };
  if (value.tools !== undefined) ctx.tools = checkTools(value.tools, errors);
  if (value.parallel_tool_calls !== undefined) {
    if (typeof value.parallel_tool_calls === "boolean") ctx.parallel = value.parallel_tool_calls;
    else add("invalid_value", "parallel_tool_calls", "parallel_tool_calls must be true or false");
  }

  const messages = value.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    add("missing_messages_list", "messages", `"messages" must be a non-empty array of messages`);
    return errors;
  }
  let assistants = 0;
  let trained = 0;
  messages.forEach((message, i) => {
    const role = checkMessage(message, `messages[${i}]`, ctx, errors);
    if (role === "assistant") {
      assistants++;
      if ((message as { weight?: unknown }).weight !== 0) trained++;
    }
  });
  if (assistants === 0) {
    add("example_missing_assistant_message", "messages", `the example has no "assistant" message: there is nothing to train on`);
  } else if (trained === 0) {
    add("example_missing_assistant_message", "messages", `every assistant message has weight 0: there is nothing to train on`);
  }
  return errors;
}

/** Checks one message; returns its role when recognised. */
function checkMessage(message: unknown, path: string, ctx: ToolCallContext, errors: FormatError[]): Role | undefined {
  const add = (kind: FormatErrorKind, p: string, msg: string) => errors.push({ kind, path: p, message: msg });
  if (!isObj(message)) {
    add("data_type", path, `${path} must be an object, not ${jsonType(message)}`);
    return undefined;
  }
  if (!("role" in message)) {
    add("message_missing_key", path, `${path} has no "role"`);
    return undefined;
  }
  const role = message.role;
  if (role === "function") {
    add("legacy_functions", `${path}.role`, `${path} has role "function": the example ${LEGACY}`);
    return undefined;
  }
  if (typeof role !== "string" || !(role in MESSAGE_KEYS)) {
    add("unrecognized_role", `${path}.role`, `${path} has role ${JSON.stringify(role)}; expected system, developer, user, assistant or tool`);
    return undefined;
  }
  const r = role as Role;
  const where = `${path} (${r})`;
  for (const key of Object.keys(message)) {
    if (MESSAGE_KEYS[r].has(key)) continue;
    if (key === "function_call") add("legacy_functions", `${path}.function_call`, `${where} ${LEGACY}`);
    else if (key === "weight") add("message_unrecognized_key", `${path}.weight`, `${where} has "weight", which only assistant messages take`);
    else if (key === "tool_calls") add("message_unrecognized_key", `${path}.tool_calls`, `${where} has "tool_calls", which only assistant messages make`);
    else add("message_unrecognized_key", `${path}.${key}`, `${where} has unrecognized key "${key}"`);
  }
  if ("name" in message && MESSAGE_KEYS[r].has("name") && (typeof message.name !== "string" || message.name === "")) {
    add("invalid_value", `${path}.name`, `${where}.name must be a non-empty string`);
  }

  if (r === "assistant") {
    checkAssistant(message, path, where, ctx, errors);
  } else {
    checkContent(message, path, where, r, errors);
    if (r === "tool") checkToolMessage(message, path, where, ctx, errors);
  }
  return r;
}

function checkAssistant(message: Record<string, unknown>, path: string, where: string, ctx: ToolCallContext, errors: FormatError[]): void {
  const add = (kind: FormatErrorKind, p: string, msg: string) => errors.push({ kind, path: p, message: msg });
  if ("weight" in message && message.weight !== 0 && message.weight !== 1) {
    add("invalid_value", `${path}.weight`, `${where}.weight must be 0 or 1`);
  }
  if ("refusal" in message && message.refusal !== null && typeof message.refusal !== "string") {
    add("invalid_value", `${path}.refusal`, `${where}.refusal must be a string`);
  }
  if ("tool_calls" in message) {
    checkToolCalls(message.tool_calls, `${path}.tool_calls`, ctx, errors);
    // With tool calls the answer is the calls: content may be absent, null or text beside them.
    // This is where the cookbook goes wrong: it flags every such message as missing content.
    const c = message.content;
    if (c !== undefined && c !== null && typeof c !== "string" && !isTextParts(c, false)) {
      add("missing_content", `${path}.content`, `${where}.content must be a string, text parts or null`);
    }
    return;
  }
  if (!("content" in message) && typeof message.refusal === "string" && message.refusal !== "") return;
  // A legacy function_call answer is already reported; "no content" would only repeat it.
  if (!("content" in message) && "function_call" in message) return;
  if (!("content" in message)) {
    add("message_missing_key", path, `${where} has neither "content" nor "tool_calls"`);
    return;
  }
  checkContent(message, path, where, "assistant", errors);
}

function checkContent(message: Record<string, unknown>, path: string, where: string, role: Role, errors: FormatError[]): void {
  if (!("content" in message)) {
    errors.push({ kind: "message_missing_key", path, message: `${where} has no "content"` });
    return;
  }
  const c = message.content;
  if ((typeof c === "string" && c !== "") || isTextParts(c, role === "user")) return;
  const what = c === "" ? "empty" : c === null ? "null" : Array.isArray(c) ? "not a list of text parts" : jsonType(c);
  errors.push({ kind: "missing_content", path: `${path}.content`, message: `${where}.content is ${what}; it must be non-empty text` });
}

// Content parts as the chat API takes them; images only from the user (vision fine-tuning).
function isTextParts(c: unknown, imagesAllowed: boolean): boolean {
  return (
    Array.isArray(c) &&
    c.length > 0 &&
    c.every(
      (part) =>
        isObj(part) &&
        ((part.type === "text" && typeof part.text === "string") ||
          (imagesAllowed && part.type === "image_url" && isObj(part.image_url) && typeof part.image_url.url === "string")),
    )
  );
}

function checkToolMessage(message: Record<string, unknown>, path: string, where: string, ctx: ToolCallContext, errors: FormatError[]): void {
  const id = message.tool_call_id;
  if (id === undefined) {
    errors.push({ kind: "message_missing_key", path, message: `${where} has no "tool_call_id" naming the call it answers` });
  } else if (typeof id !== "string" || id === "") {
    errors.push({ kind: "invalid_value", path: `${path}.tool_call_id`, message: `${where}.tool_call_id must be a non-empty string` });
  } else if (!ctx.callIds.has(id)) {
    errors.push({
      kind: "unmatched_tool_message",
      path: `${path}.tool_call_id`,
      message: `${where} answers tool_call_id "${id}", which no earlier assistant tool call has`,
    });
  }
}
