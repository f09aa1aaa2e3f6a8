import { Stream } from "openai/core/streaming";
import type { ChatCompletion, ChatCompletionChunk } from "openai/resources/chat/completions";
import { ApiError } from "../../errors";
import { SERVED_BY_HEADER, SERVED_MODEL_HEADER, type ServeContext, serveChat } from "../chat";
import { parseChatRequest } from "../params";
import { type ResponsesRequest, toChatParams } from "./request";
import { responseContext, toResponse } from "./response";
import { chunkSource, responsesEventStream, type StreamFailure } from "./stream";

/**
 * Serves a Responses API request through the chat core (src/serving/chat.ts): the request becomes
 * a chat completion for the tenant's model (so model choice, supported-parameter checks, fallback,
 * the schema guard, usage and capture are the chat route's), and its answer becomes a Response
 * object, or with `stream: true` Responses events translated chunk by chunk as they arrive.
 */
export async function serveResponses(ctx: ServeContext, req: ResponsesRequest): Promise<Response> {
  const { params, echo } = toChatParams(req);
  const stream = req.stream === true;
  const body: Record<string, unknown> = { ...params };
  if (req.model !== undefined) body.model = req.model;
  // Usage is always asked for: the Response's `response.completed` event carries it.
  if (stream) Object.assign(body, { stream: true, stream_options: { include_usage: true } });

  let upstream: Response;
  try {
    upstream = await serveChat(ctx, parseChatRequest(body));
  } catch (err) {
    throw inResponsesTerms(err);
  }
  const headers: Record<string, string> = {};
  for (const name of [SERVED_MODEL_HEADER, SERVED_BY_HEADER, "X-Request-Id"]) {
    const value = upstream.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  const rc = responseContext(headers[SERVED_MODEL_HEADER] ?? req.model ?? "", echo);

  if (!stream) {
    const completion = (await upstream.json()) as ChatCompletion;
    return Response.json(toResponse(completion, rc), { headers });
  }
  // The SDK's own SSE reader parses the relayed chat stream; cancelling ours cancels it, and the relay aborts upstream.
  const chunks = Stream.fromSSEResponse<ChatCompletionChunk>(upstream, new AbortController());
  const events = chunkSource(chunks, streamFailure).pipeThrough(responsesEventStream(rc));
  return new Response(events, {
    headers: { ...headers, "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache" },
  });
}

/** What `response.failed` says when the model's stream broke off after it began. */
function streamFailure(err: unknown): StreamFailure["failure"] {
  const why = err instanceof Error ? err.message : String(err);
  return { code: "server_error", message: `The model's stream broke off before it finished: ${why.slice(0, 200)}` };
}

/** Chat parameter names in the chat core's refusals, as the Responses request called them. */
const RESPONSES_NAMES: Record<string, string> = {
  messages: "input",
  response_format: "text.format",
  max_tokens: "max_output_tokens",
};

/** A refusal by the chat core names the Responses field the client sent, not the chat parameter it became. */
function inResponsesTerms(err: unknown): unknown {
  if (!(err instanceof ApiError) || !Array.isArray(err.details)) return err;
  const first = err.details[0] as { path?: unknown } | undefined;
  const path = typeof first?.path === "string" ? first.path : null;
  const renamed = path === null ? undefined : RESPONSES_NAMES[path.split(".")[0]!];
  if (!path || !renamed) return err;
  const chatName = path.split(".")[0]!;
  return new ApiError(err.code, err.message.replaceAll(`'${chatName}'`, `'${renamed}'`).replaceAll(`: ${chatName}`, `: ${renamed}`), {
    details: [{ ...first, path: renamed }, ...err.details.slice(1)],
    headers: err.headers,
    retryable: err.retryable,
    retryAfterMs: err.retryAfterMs,
    cause: err,
  });
}
