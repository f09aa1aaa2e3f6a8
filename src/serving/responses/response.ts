import type { ChatCompletion, ChatCompletionChunk } from "openai/resources/chat/completions";
import type { CompletionUsage } from "openai/resources/completions";
import { newId } from "../../lib/ids";
import { nowMs } from "../../lib/clock";
import type { ResponseEcho } from "./request";

/*
 * Wire shapes of the Responses API's objects, as the `openai` SDK v7 types them
 * (resources/responses/responses.d.ts: Response, ResponseOutputMessage, ResponseOutputText,
 * ResponseOutputRefusal, ResponseFunctionToolCall, ResponseUsage). `output_text` is not sent:
 * it is the SDK's own convenience, computed client-side, as OpenAI's server does not send it.
 */

export type ItemStatus = "in_progress" | "completed" | "incomplete";

export type OutputContent = { type: "output_text"; text: string; annotations: []; logprobs: [] } | { type: "refusal"; refusal: string };

export interface OutputMessage {
  id: string;
  type: "message";
  role: "assistant";
  status: ItemStatus;
  content: OutputContent[];
}

export interface FunctionCallItem {
  id: string;
  type: "function_call";
  status: ItemStatus;
  call_id: string;
  name: string;
  arguments: string;
}

export type OutputItem = OutputMessage | FunctionCallItem;

export interface ResponseUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number; cache_write_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export type ResponseStatus = "in_progress" | "completed" | "incomplete" | "failed";

export interface ResponseObject extends ResponseEcho {
  id: string;
  object: "response";
  /** Required (nullable) in the SDK's `Response`; no access program applies here. */
  access_programs: null;
  created_at: number;
  status: ResponseStatus;
  completed_at: number | null;
  /** OpenAI's codes for a failed response: a model stream that broke off is a `server_error`. */
  error: { code: "server_error" | "rate_limit_exceeded"; message: string } | null;
  incomplete_details: { reason: "max_output_tokens" | "content_filter" } | null;
  model: string;
  output: OutputItem[];
  usage: ResponseUsage | null;
  previous_response_id: null;
  reasoning: null;
  background: false;
  truncation: "disabled";
  service_tier: "default";
  /** Honest about storage: nothing is kept, so the id cannot be retrieved or continued. */
  store: false;
}

/** What every Response of one request shares: its id, creation time, the model that answers, the echoed settings. */
export interface ResponseContext {
  id: string;
  createdAt: number;
  model: string;
  echo: ResponseEcho;
  /** New item ids (`msg_…`, `fc_…`, and `call_…` for a tool call the upstream sent without one); injectable so tests can predict them. */
  itemId: (prefix: "msg" | "fc" | "call") => string;
}

/** A context with fresh ids and the clock seam's time. */
export function responseContext(model: string, echo: ResponseEcho): ResponseContext {
  return { id: newId("resp"), createdAt: Math.floor(nowMs() / 1000), model, echo, itemId: (prefix) => newId(prefix) };
}

/** A Response object in any state; `output` and `usage` as known so far. */
export function responseObject(
  ctx: ResponseContext,
  status: ResponseStatus,
  output: OutputItem[] = [],
  usage: ResponseUsage | null = null,
  extra: { incomplete?: ResponseObject["incomplete_details"]; error?: ResponseObject["error"] } = {},
): ResponseObject {
  const done = status !== "in_progress";
  return {
    id: ctx.id,
    object: "response",
    access_programs: null,
    created_at: ctx.createdAt,
    status,
    completed_at: status === "completed" ? Math.max(ctx.createdAt, Math.floor(nowMs() / 1000)) : null,
    error: extra.error ?? null,
    incomplete_details: extra.incomplete ?? null,
    model: ctx.model,
    output,
    usage: done ? usage : null,
    previous_response_id: null,
    reasoning: null,
    background: false,
    truncation: "disabled",
    service_tier: "default",
    store: false,
    ...ctx.echo,
  };
}

/** A chat completion's usage in the Responses API's names. */
export function responseUsage(usage: CompletionUsage | null | undefined): ResponseUsage | null {
  if (!usage) return null;
  return {
    input_tokens: usage.prompt_tokens,
    // Chat usage does not report cache writes; the SDK's type requires the field.
    input_tokens_details: { cached_tokens: usage.prompt_tokens_details?.cached_tokens ?? 0, cache_write_tokens: 0 },
    output_tokens: usage.completion_tokens,
    output_tokens_details: { reasoning_tokens: usage.completion_tokens_details?.reasoning_tokens ?? 0 },
    total_tokens: usage.total_tokens,
  };
}

type FinishReason = ChatCompletion.Choice["finish_reason"] | ChatCompletionChunk.Choice["finish_reason"];

/** How a chat finish reason ends a Response: cut short by the token limit or a filter is `incomplete`, anything else `completed`. */
export function endOf(finish: FinishReason | undefined): { status: "completed" | "incomplete"; incomplete: ResponseObject["incomplete_details"] } {
  if (finish === "length") return { status: "incomplete", incomplete: { reason: "max_output_tokens" } };
  if (finish === "content_filter") return { status: "incomplete", incomplete: { reason: "content_filter" } };
  return { status: "completed", incomplete: null };
}

/** An `output_text` content part. */
export function outputText(text: string): OutputContent {
  return { type: "output_text", text, annotations: [], logprobs: [] };
}

/** A finished chat completion as a Response: its message (text or refusal) and each tool call as a `function_call` item. */
export function toResponse(completion: ChatCompletion, ctx: ResponseContext): ResponseObject {
  const choice = completion.choices[0];
  const end = endOf(choice?.finish_reason);
  const itemStatus: ItemStatus = end.status === "completed" ? "completed" : "incomplete";
  const output: OutputItem[] = [];
  const message = choice?.message;
  const content: OutputContent[] = [];
  if (message?.content) content.push(outputText(message.content));
  if (message?.refusal) content.push({ type: "refusal", refusal: message.refusal });
  if (content.length) output.push({ id: ctx.itemId("msg"), type: "message", role: "assistant", status: itemStatus, content });
  for (const call of message?.tool_calls ?? []) {
    if (call.type !== "function") continue;
    output.push({
      id: ctx.itemId("fc"),
      type: "function_call",
      status: itemStatus,
      call_id: call.id,
      name: call.function.name,
      arguments: call.function.arguments,
    });
  }
  return responseObject(ctx, end.status, output, responseUsage(completion.usage), { incomplete: end.incomplete });
}
