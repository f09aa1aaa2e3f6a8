import { invalidRequest, notFound } from "../errors";
import { isObject, type JsonSchema } from "../generate/schema";
import type { ModelSpec } from "../models";
import { messageText, type ChatRequest } from "./request";

/** OpenAI's semantic checks that a schema cannot express, in the order OpenAI reports them. */
export function checkChatRequest(req: ChatRequest, model: ModelSpec): void {
  if (model.kind !== "chat") {
    throw notFound("This is not a chat model and thus not supported in the v1/chat/completions endpoint. Did you mean to use v1/completions?", "model");
  }
  if (req.tools?.length && !model.tools) {
    throw invalidRequest(`The model \`${model.id}\` does not support tools.`, "tools", "unsupported_parameter");
  }
  const format = req.response_format?.type;
  if ((format === "json_object" || format === "json_schema") && !model.response_format) {
    throw invalidRequest(`Invalid parameter: 'response_format' of type '${format}' is not supported with this model (\`${model.id}\`).`, "response_format", "unsupported_parameter");
  }
  if (req.tool_choice !== undefined && !req.tools?.length) {
    throw invalidRequest("Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.", "tool_choice");
  }
  if (typeof req.tool_choice === "object" && !req.tools?.some((t) => t.function.name === (req.tool_choice as { function: { name: string } }).function.name)) {
    throw invalidRequest(`Tool choice '${req.tool_choice.function.name}' not found in 'tools' parameter.`, "tool_choice");
  }
  if (req.stream_options && !req.stream) {
    throw invalidRequest("The 'stream_options' parameter is only allowed when 'stream' is enabled.", "stream_options");
  }
  if (req.metadata && Object.keys(req.metadata).length > 16) {
    throw invalidRequest("Invalid 'metadata': too many properties. Expected an object with at most 16 properties.", "metadata", "object_above_max_properties");
  }
  if (format === "json_object" && !req.messages.some((m) => /json/i.test(messageText(m)))) {
    throw invalidRequest("'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.", "messages");
  }
  checkToolMessages(req);
  if (req.response_format?.type === "json_schema" && req.response_format.json_schema.strict) {
    checkStrictSchema(req.response_format.json_schema.schema ?? {}, `response_format '${req.response_format.json_schema.name}'`, "response_format");
  }
  req.tools?.forEach((tool, i) => {
    if (tool.function.strict) checkStrictSchema(tool.function.parameters ?? {}, `function '${tool.function.name}'`, `tools[${i}].function.parameters`);
  });
  const maxTokens = req.max_completion_tokens ?? req.max_tokens;
  if (maxTokens && maxTokens > model.max_output_tokens) {
    const which = req.max_completion_tokens ? "max_completion_tokens" : "max_tokens";
    throw invalidRequest(
      `${which} is too large: ${maxTokens}. This model supports at most ${model.max_output_tokens} completion tokens, whereas you provided ${maxTokens}.`,
      which,
      "invalid_value",
    );
  }
}

/** Tool results must answer a preceding assistant tool call, and every call must be answered. */
function checkToolMessages(req: ChatRequest): void {
  let pending: string[] = [];
  req.messages.forEach((m, i) => {
    if (m.role === "tool") {
      if (!m.tool_call_id) throw invalidRequest(`Missing parameter 'tool_call_id': messages with role 'tool' must have a 'tool_call_id'.`, `messages.[${i}].tool_call_id`);
      if (!pending.includes(m.tool_call_id)) {
        throw invalidRequest("Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.", `messages.[${i}].role`);
      }
      pending = pending.filter((id) => id !== m.tool_call_id);
      return;
    }
    if (pending.length) {
      throw invalidRequest(
        `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${pending.join(", ")}`,
        `messages.[${i}].role`,
      );
    }
    pending = m.role === "assistant" ? (m.tool_calls ?? []).map((c) => c.id) : [];
  });
}

/** Structured Outputs' strict rules: every object closes additionalProperties and requires all its keys. */
function checkStrictSchema(schema: unknown, what: string, param: string, context: string[] = []): void {
  if (!isObject(schema)) return;
  const fail = (detail: string) => {
    throw invalidRequest(`Invalid schema for ${what}: In context=(${context.map((c) => `'${c}'`).join(", ")}), ${detail}`, param, "invalid_json_schema");
  };
  const s: JsonSchema = schema;
  if (isObject(s.properties) || s.type === "object") {
    if (s.additionalProperties !== false) fail("'additionalProperties' is required to be supplied and to be false.");
    const keys = Object.keys(isObject(s.properties) ? s.properties : {});
    const required = Array.isArray(s.required) ? (s.required as string[]) : [];
    const missing = keys.filter((k) => !required.includes(k));
    if (missing.length) fail(`'required' is required to be supplied and to be an array including every key in properties. Missing '${missing[0]}'.`);
    for (const [key, child] of Object.entries(isObject(s.properties) ? s.properties : {})) checkStrictSchema(child, what, param, [...context, "properties", key]);
  }
  if (s.items !== undefined) checkStrictSchema(s.items, what, param, [...context, "items"]);
  for (const key of ["anyOf", "oneOf", "allOf"]) {
    if (Array.isArray(s[key])) (s[key] as unknown[]).forEach((v, i) => checkStrictSchema(v, what, param, [...context, key, String(i)]));
  }
  for (const key of ["$defs", "definitions"]) {
    if (isObject(s[key])) for (const [name, def] of Object.entries(s[key] as JsonSchema)) checkStrictSchema(def, what, param, [...context, key, name]);
  }
}
