import type {
  ChatCompletionCreateParamsBase,
  ChatCompletionMessageFunctionToolCall,
  ChatCompletionMessageParam,
  ChatCompletionFunctionTool,
  ChatCompletionToolChoiceOption,
} from "openai/resources/chat/completions";
import { ApiError } from "../../errors";

/**
 * The subset of a Responses API request (`POST /v1/responses`) Distillery serves, as the route
 * validated it. Field names and shapes are the `openai` SDK's `ResponseCreateParams` (v7,
 * resources/responses/responses.d.ts); anything else a client sends is refused by
 * `toChatParams`, naming it, rather than ignored.
 */
export interface ResponsesRequest {
  model?: string;
  input?: string | Array<Record<string, unknown>>;
  instructions?: string | null;
  tools?: Array<Record<string, unknown>>;
  tool_choice?: string | Record<string, unknown>;
  parallel_tool_calls?: boolean | null;
  text?: { format?: Record<string, unknown>; verbosity?: string | null } | null;
  temperature?: number | null;
  top_p?: number | null;
  max_output_tokens?: number | null;
  metadata?: Record<string, string> | null;
  stream?: boolean | null;
  store?: boolean | null;
  user?: string;
  safety_identifier?: string | null;
  [field: string]: unknown;
}

/** What the upstream chat completion is asked (the model is chosen by the caller). */
export type ChatParams = Omit<ChatCompletionCreateParamsBase, "model" | "stream" | "stream_options">;

/** Request fields a Response object echoes back (OpenAI returns the settings it ran with). */
export interface ResponseEcho {
  instructions: string | null;
  tools: Array<Record<string, unknown>>;
  tool_choice: string | Record<string, unknown>;
  parallel_tool_calls: boolean;
  text: { format: Record<string, unknown> };
  temperature: number | null;
  top_p: number | null;
  max_output_tokens: number | null;
  metadata: Record<string, string>;
  /** The end user's id, when the client sent one (as OpenAI, absent otherwise). */
  user?: string;
}

/** The 400 for a field Distillery does not implement, in the shape `/openai/*` renders with `param`. */
export function unsupported(param: string, message: string): ApiError {
  return new ApiError("bad_request", message, { details: [{ path: param, message }] });
}

/**
 * Fields of the Responses API that need state or built-in machinery Distillery does not have:
 * refused when set to anything but their "off" value (null, false, [] or the default).
 */
const REFUSED: Record<string, { off: (v: unknown) => boolean; why: string }> = {
  previous_response_id: {
    off: (v) => v == null,
    why: "Distillery does not store responses, so it cannot continue one: send the conversation so far as `input` items (messages, function_call and function_call_output) instead",
  },
  conversation: { off: (v) => v == null, why: "conversations are not stored; send the conversation as `input` items" },
  background: { off: (v) => v == null || v === false, why: "background responses are not supported; call without `background`" },
  include: { off: (v) => v == null || (Array.isArray(v) && v.length === 0), why: "no extra output data (`include`) is available" },
  prompt: { off: (v) => v == null, why: "stored prompt templates are not supported; send `instructions` and `input`" },
  reasoning: { off: (v) => v == null, why: "reasoning settings are not supported by the served models" },
  max_tool_calls: { off: (v) => v == null, why: "`max_tool_calls` applies to built-in tools, which are not supported" },
  top_logprobs: { off: (v) => v == null || v === 0, why: "log probabilities are not returned" },
  truncation: { off: (v) => v == null || v === "disabled", why: "only `truncation: \"disabled\"` is supported" },
  context_management: { off: (v) => v == null, why: "server-side context management is not supported" },
  prompt_cache_key: { off: (v) => v == null, why: "prompt caching controls are not supported" },
  prompt_cache_retention: { off: (v) => v == null, why: "prompt caching controls are not supported" },
  prompt_cache_options: { off: (v) => v == null, why: "prompt caching controls are not supported" },
  service_tier: { off: (v) => v == null || v === "auto" || v === "default", why: "only the default service tier is available" },
  moderation: { off: (v) => v == null, why: "moderation is not supported" },
  image: { off: (v) => v == null, why: "image settings are not supported" },
  access_programs: { off: (v) => v == null, why: "access programs are not supported" },
  // OpenAI's default is to store; a client asking for it explicitly must learn that nothing is kept.
  store: {
    off: (v) => v == null || v === false,
    why: "Distillery does not store responses (nothing can be retrieved or continued later): send `store: false` or omit it",
  },
};

/** Fields `toChatParams` understands (the rest of a body is refused by name). */
const KNOWN = new Set([
  "model",
  "input",
  "instructions",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "text",
  "temperature",
  "top_p",
  "max_output_tokens",
  "metadata",
  "stream",
  // Only shapes the stream (obfuscation padding is never added here), so accepting it changes nothing.
  "stream_options",
  "user",
  "safety_identifier",
  ...Object.keys(REFUSED),
]);

/**
 * Translates a Responses request into chat completion parameters for the upstream (no provider
 * that serves Distillery's students implements `/v1/responses`, so every request becomes a chat
 * completion) and the settings the answer echoes. Throws a 400 naming the first thing it cannot do.
 */
export function toChatParams(req: ResponsesRequest): { params: ChatParams; echo: ResponseEcho } {
  for (const field of Object.keys(req)) {
    if (!KNOWN.has(field)) throw unsupported(field, `\`${field}\` is not supported by Distillery's Responses API.`);
    const rule = REFUSED[field];
    if (rule && !rule.off(req[field])) throw unsupported(field, `\`${field}\` is not supported: ${rule.why}.`);
  }
  if (req.text?.verbosity != null && req.text.verbosity !== "medium") {
    throw unsupported("text.verbosity", "`text.verbosity` is not supported: the served models take no verbosity setting.");
  }

  const messages: ChatCompletionMessageParam[] = [];
  if (req.instructions) messages.push({ role: "system", content: req.instructions });
  messages.push(...inputMessages(req.input));
  if (!messages.some((m) => m.role !== "system")) {
    throw unsupported("input", "`input` is required: a string, or a list of messages (and function_call / function_call_output items).");
  }

  const tools = (req.tools ?? []).map(functionTool);
  const format = req.text?.format ?? { type: "text" };
  const params: ChatParams = { messages };
  if (tools.length) params.tools = tools;
  if (req.tool_choice !== undefined) params.tool_choice = toolChoice(req.tool_choice);
  if (req.parallel_tool_calls != null && tools.length) params.parallel_tool_calls = req.parallel_tool_calls;
  const responseFormat = chatResponseFormat(format);
  if (responseFormat) params.response_format = responseFormat;
  if (req.temperature != null) params.temperature = req.temperature;
  if (req.top_p != null) params.top_p = req.top_p;
  // `max_tokens` rather than `max_completion_tokens`: every OpenAI-compatible server takes it.
  if (req.max_output_tokens != null) params.max_tokens = req.max_output_tokens;
  const user = req.safety_identifier ?? req.user;
  if (user) params.user = user;

  const echo: ResponseEcho = {
    instructions: req.instructions ?? null,
    tools: req.tools ?? [],
    tool_choice: req.tool_choice ?? "auto",
    parallel_tool_calls: req.parallel_tool_calls ?? true,
    text: { format },
    temperature: req.temperature ?? null,
    top_p: req.top_p ?? null,
    max_output_tokens: req.max_output_tokens ?? null,
    metadata: req.metadata ?? {},
    ...(user ? { user } : {}),
  };
  return { params, echo };
}

/** `input` as chat messages: a string is one user message; items map one by one (function calls merge into one assistant turn). */
function inputMessages(input: ResponsesRequest["input"]): ChatCompletionMessageParam[] {
  if (input === undefined) return [];
  if (typeof input === "string") return [{ role: "user", content: input }];
  const out: ChatCompletionMessageParam[] = [];
  input.forEach((item, i) => {
    const at = `input[${i}]`;
    const type = item.type ?? (item.role !== undefined ? "message" : undefined);
    if (type === "message") {
      out.push(messageItem(item, at));
    } else if (type === "function_call") {
      const call: ChatCompletionMessageFunctionToolCall = {
        id: requiredString(item.call_id, `${at}.call_id`),
        type: "function",
        function: { name: requiredString(item.name, `${at}.name`), arguments: requiredString(item.arguments, `${at}.arguments`) },
      };
      // A chat assistant turn holds its text and all its tool calls; Responses lists them as separate items.
      const last = out[out.length - 1];
      if (last?.role === "assistant") last.tool_calls = [...(last.tool_calls ?? []), call];
      else out.push({ role: "assistant", content: null, tool_calls: [call] });
    } else if (type === "function_call_output") {
      out.push({ role: "tool", tool_call_id: requiredString(item.call_id, `${at}.call_id`), content: toolOutput(item.output, `${at}.output`) });
    } else {
      throw unsupported(
        `${at}.type`,
        `Input items of type \`${String(type)}\` are not supported: send messages, function_call and function_call_output items (Distillery stores no items to reference, and serves no built-in tools or reasoning items).`,
      );
    }
  });
  return out;
}

function messageItem(item: Record<string, unknown>, at: string): ChatCompletionMessageParam {
  const role = item.role;
  const text = contentText(item.content, `${at}.content`);
  switch (role) {
    case "user":
      return { role: "user", content: text };
    case "assistant":
      return { role: "assistant", content: text };
    // Open-weights servers know "system"; OpenAI treats "developer" and "system" alike for chat.
    case "system":
    case "developer":
      return { role: "system", content: text };
    default:
      throw unsupported(`${at}.role`, `Message role \`${String(role)}\` is not supported: use user, assistant, system or developer.`);
  }
}

/** A message's content as text: a string, or its text parts (input_text, and output_text / refusal of earlier answers) joined. */
function contentText(content: unknown, at: string): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) throw unsupported(at, `\`${at}\` must be a string or a list of content parts.`);
  return content
    .map((part: { type?: unknown; text?: unknown; refusal?: unknown }, j) => {
      if ((part?.type === "input_text" || part?.type === "output_text") && typeof part.text === "string") return part.text;
      if (part?.type === "refusal" && typeof part.refusal === "string") return part.refusal;
      throw unsupported(
        `${at}[${j}].type`,
        `Content parts of type \`${String(part?.type)}\` are not supported: the served models take text (input_text) only.`,
      );
    })
    .join("\n");
}

/** A function_call_output's output: a string, or input_text parts joined. */
function toolOutput(output: unknown, at: string): string {
  return contentText(output, at);
}

function requiredString(value: unknown, at: string): string {
  if (typeof value !== "string") throw unsupported(at, `\`${at}\` is required (a string).`);
  return value;
}

/** A Responses function tool (`{type, name, parameters, strict}`) as a chat tool; any other type is refused by name. */
function functionTool(tool: Record<string, unknown>, i: number): ChatCompletionFunctionTool {
  if (tool.type !== "function") {
    throw unsupported(
      `tools[${i}].type`,
      `Tools of type \`${String(tool.type)}\` are not supported: Distillery serves function tools only (no built-in tools).`,
    );
  }
  for (const field of ["defer_loading", "allowed_callers", "async", "output_schema"]) {
    if (tool[field] != null && tool[field] !== false) throw unsupported(`tools[${i}].${field}`, `\`tools[${i}].${field}\` is not supported.`);
  }
  const fn: ChatCompletionFunctionTool["function"] = { name: requiredString(tool.name, `tools[${i}].name`) };
  if (typeof tool.description === "string") fn.description = tool.description;
  if (tool.parameters != null) fn.parameters = tool.parameters as Record<string, unknown>;
  if (typeof tool.strict === "boolean") fn.strict = tool.strict;
  return { type: "function", function: fn };
}

function toolChoice(choice: string | Record<string, unknown>): ChatCompletionToolChoiceOption {
  if (choice === "none" || choice === "auto" || choice === "required") return choice;
  if (typeof choice === "object" && choice.type === "function" && typeof choice.name === "string") {
    return { type: "function", function: { name: choice.name } };
  }
  const kind = typeof choice === "object" ? String(choice.type) : String(choice);
  throw unsupported("tool_choice", `\`tool_choice\` \`${kind}\` is not supported: use none, auto, required or {type: "function", name}.`);
}

/** `text.format` as chat's `response_format` (none for plain text). */
function chatResponseFormat(format: Record<string, unknown>): ChatParams["response_format"] | undefined {
  switch (format.type) {
    case "text":
      return undefined;
    case "json_object":
      return { type: "json_object" };
    case "json_schema": {
      const json_schema: { name: string; schema?: Record<string, unknown>; description?: string; strict?: boolean | null } = {
        name: requiredString(format.name, "text.format.name"),
      };
      if (format.schema == null || typeof format.schema !== "object") throw unsupported("text.format.schema", "`text.format.schema` is required (a JSON Schema object).");
      json_schema.schema = format.schema as Record<string, unknown>;
      if (typeof format.description === "string") json_schema.description = format.description;
      if (typeof format.strict === "boolean") json_schema.strict = format.strict;
      return { type: "json_schema", json_schema };
    }
    default:
      throw unsupported("text.format.type", `\`text.format.type\` \`${String(format.type)}\` is not supported: use text, json_object or json_schema.`);
  }
}
