import { z } from "zod";
import { ApiError } from "../errors";
import type { ModelEntry } from "../llm";

/**
 * Parameters `/openai/v1/chat/completions` passes through to the upstream model when its catalog
 * entry lists them (`supported_params`); `model`, `messages`, `stream` and `stream_options` are ours
 * to handle. Anything else is a 400 naming it: never dropped silently.
 */
export const PASS_THROUGH_PARAMS = [
  "temperature", "top_p", "max_tokens", "max_completion_tokens", "n", "seed", "stop", "tools", "tool_choice",
  "parallel_tool_calls", "response_format", "presence_penalty", "frequency_penalty", "logit_bias", "logprobs",
  "top_logprobs", "user", "metadata",
] as const;

const OWN_PARAMS = ["model", "messages", "stream", "stream_options"] as const;

const message = z.looseObject({
  role: z.enum(["system", "developer", "user", "assistant", "tool"]),
  content: z.union([z.string(), z.array(z.looseObject({ type: z.string() })), z.null()]).optional(),
});

const functionTool = z.looseObject({
  type: z.literal("function"),
  function: z.looseObject({ name: z.string().min(1).max(64), description: z.string().optional(), parameters: z.record(z.string(), z.unknown()).optional(), strict: z.boolean().nullable().optional() }),
});

const responseFormat = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("text") }),
  z.looseObject({ type: z.literal("json_object") }),
  z.looseObject({
    type: z.literal("json_schema"),
    json_schema: z.looseObject({ name: z.string().min(1).max(64), schema: z.record(z.string(), z.unknown()).optional(), strict: z.boolean().nullable().optional() }),
  }),
]);

/** The body as far as Distillery reads it; the rest passes through as sent. */
export const chatRequestSchema = z.looseObject({
  model: z.string().min(1).max(256).optional(),
  messages: z.array(message).min(1),
  stream: z.boolean().nullable().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullable().optional(),
  tools: z.array(functionTool).max(128).optional(),
  tool_choice: z
    .union([z.enum(["none", "auto", "required"]), z.looseObject({ type: z.literal("function"), function: z.looseObject({ name: z.string().min(1) }) })])
    .optional(),
  response_format: responseFormat.optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().min(0).max(1).nullable().optional(),
  max_tokens: z.int().positive().nullable().optional(),
  max_completion_tokens: z.int().positive().nullable().optional(),
  n: z.int().min(1).max(128).nullable().optional(),
  seed: z.int().nullable().optional(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullable().optional(),
});
export type ChatRequest = z.infer<typeof chatRequestSchema>;

/** Parses a chat request: bad JSON shape → 400 naming the first problem's path (OpenAI's `param`). */
export function parseChatRequest(body: unknown): ChatRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ApiError("invalid_json", "The request body must be a JSON object.");
  }
  const parsed = chatRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.map(String).join(".");
    const missing = issue.code === "invalid_type" && issue.input === undefined;
    throw new ApiError("bad_request", missing ? `Missing required parameter: '${path}'.` : `Invalid '${path}': ${issue.message}.`, {
      details: [{ path, message: issue.message }],
    });
  }
  return parsed.data;
}

/**
 * Refuses a parameter the request sets that the model does not take (its catalog's
 * `supported_params`), or that `/openai/v1` does not know, naming it.
 */
export function assertSupportedParams(body: Record<string, unknown>, model: ModelEntry): void {
  const supported = new Set<string>(model.supported_params ?? PASS_THROUGH_PARAMS);
  for (const [key, value] of Object.entries(body)) {
    if (value === undefined || (OWN_PARAMS as readonly string[]).includes(key)) continue;
    if (!(PASS_THROUGH_PARAMS as readonly string[]).includes(key)) {
      throw new ApiError("bad_request", `Unrecognized request argument supplied: ${key}.`, { details: [{ path: key, message: "not supported by /openai/v1" }] });
    }
    if (value !== null && !supported.has(key)) {
      throw new ApiError("bad_request", `Model ${model.id} does not support the parameter '${key}'.`, {
        details: [{ path: key, message: `not supported by ${model.id}`, model: model.id }],
      });
    }
  }
  if (body.stream_options != null && body.stream !== true) {
    throw new ApiError("bad_request", "The 'stream_options' parameter is only allowed when 'stream' is enabled.", { details: [{ path: "stream_options", message: "needs stream: true" }] });
  }
}
