import type { ChatCompletionMessageParam, ChatCompletionTool } from "openai/resources/chat/completions";
import type { TenantHandle } from "../durable/tenant";
import type { Bindings } from "../env";
import { ApiError } from "../errors";
import { countChatTokens, loadCatalog, resolveModel, tokenCounter, type ModelEntry } from "../llm";
import { withPacing, livePacing } from "../llm/pace";
import { queueUsage } from "../usage/queue";
import type { CallUsage } from "../usage/record";
import { type AssistantMessage, captureExchange, promptOf } from "./capture";
import { guardProblem, guardTarget } from "./guard";
import { assertSupportedParams, type ChatRequest } from "./params";
import { resolveServedModel, type ServedModel } from "./resolve";
import { servingSettingsOf, type ServingSettings } from "./settings";
import { relayStream, type StreamTally } from "./sse";
import { callUpstream, fallbackWorthy, type UpstreamResult } from "./upstream";

/** Who answered: the tenant's student, the teacher it asked for (or is served by), or the teacher standing in. */
export type ServedBy = "student" | "teacher" | "fallback";

/** What serving a request needs from its surroundings (a Hono context, or another entry such as the Responses API). */
export interface ServeContext {
  env: Bindings;
  /** The authenticated tenant's handle (used before the answer starts; later work opens its own). */
  tenant: TenantHandle;
  requestId: string;
  /** Aborts when the client disconnects (`request.signal`). */
  signal: AbortSignal;
  /** Work after the answer (usage, capture). */
  waitUntil(promise: Promise<unknown>): void;
  /** The request's headers (`Distillery-Capture`, `Distillery-Capture-Payload`, `Distillery-Schema-Guard`). */
  headers: Headers;
}

export const SERVED_MODEL_HEADER = "Distillery-Model";
export const SERVED_BY_HEADER = "Distillery-Served-By";

/**
 * Serves one OpenAI chat-completions request body for the tenant: resolves the model (pointer,
 * aliases, registry, catalog), refuses parameters the model does not take, calls the upstream,
 * falls back to the teacher when the student fails (before any byte is sent), optionally guards
 * structured answers, relays streams as they come, records usage and captures. Every answer
 * carries `Distillery-Model`, `Distillery-Served-By` and `X-Request-Id`. Throws ApiError for bad
 * input and upstream failures (rendered in OpenAI's shape under /openai/*). `req` is parsed
 * already (the route's validator, or `parseChatRequest`): a loose parse, every field kept.
 */
export async function serveChat(ctx: ServeContext, req: ChatRequest): Promise<Response> {
  const body = req as Record<string, unknown>;
  const [served, settings] = await Promise.all([
    resolveServedModel(ctx.env, ctx.tenant, req.model),
    servingSettingsOf(ctx.tenant),
  ]);
  assertSupportedParams(body, served.entry);
  const capture = await captureTarget(ctx, settings);

  const stream = req.stream === true;
  const keepUsage = stream && req.stream_options?.include_usage === true;
  const upstreamBody: Record<string, unknown> = { ...body };
  delete upstreamBody.model;
  // Always ask for usage on streams (to account the call); removed again unless the client asked.
  if (stream) upstreamBody.stream_options = { ...(req.stream_options ?? {}), include_usage: true };

  const guardHeader = ctx.headers.get("Distillery-Schema-Guard");
  const guardOn = guardHeader === null ? settings.schema_guard : guardHeader === "true";
  const guard = guardOn && !stream && served.served_as === "student" ? guardTarget(req) : null;
  const teacher = (): ServedModel => ({ entry: teacherEntry(ctx.env), served_as: "teacher", base_url: null, pointer: null });
  // A live request draws on the limiter's reserved share, so background fan-outs never make it wait.
  const pacing = livePacing(ctx.env, ctx.tenant.id, ctx);
  const call = (s: Pick<ServedModel, "entry" | "base_url">, b: Record<string, unknown>) =>
    withPacing(pacing, () => callUpstream(ctx.env, s, "/chat/completions", b, { requestId: ctx.requestId, signal: ctx.signal }));

  let by: ServedBy = served.served_as;
  let answering = served;
  let result: UpstreamResult = await call(served, upstreamBody);
  const calls: CallUsage[] = [];
  if (!result.ok && served.served_as === "student" && settings.fallback && fallbackWorthy(result)) {
    answering = teacher();
    by = "fallback";
    result = await call(answering, upstreamBody);
  }
  const headers = servedHeaders(answering.entry, by, ctx.requestId);
  if (!result.ok) {
    Object.assign(result.error.headers, headers);
    throw result.error;
  }

  // A stream's usage and capture are known only at its end, after the answer: written then.
  const after = (prompt: number, completion: number, answer: AssistantMessage | null) => {
    calls.push({ model: answering.entry, kind: "chat", prompt_tokens: prompt, completion_tokens: completion });
    ctx.waitUntil(afterAnswer(ctx, calls, capture && { ...capture, req, by, model: answering.entry, answer }, calls.at(-1)!));
  };

  if (stream) {
    const relayed = relayStream(result.response.body!, {
      keepUsage,
      onEnd: (tally) => {
        ctx.waitUntil(
          streamUsage(req, answering.entry, tally).then(([p, c]) => after(p, c, tally.finishReason ? answerOf(tally) : null)),
        );
      },
    });
    return new Response(relayed, {
      status: 200,
      headers: { ...headers, "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache" },
    });
  }

  let text = await result.response.text();
  let completion = parseCompletion(text);
  const problem = guard ? guardProblem(guard, completion) : null;
  if (problem) {
    // The student's answer broke the schema: the teacher answers instead, and both calls are accounted.
    calls.push({ model: answering.entry, kind: "chat", ...usageOf(completion) });
    answering = teacher();
    by = "fallback";
    const second = await call(answering, upstreamBody);
    if (!second.ok) {
      Object.assign(second.error.headers, servedHeaders(answering.entry, by, ctx.requestId));
      throw second.error;
    }
    text = await second.response.text();
    completion = parseCompletion(text);
  }
  const usage = usageOf(completion);
  calls.push({ model: answering.entry, kind: "chat", ...usage });
  // Leaves with this isolate's next batch of usage, after the answer (kept alive by waitUntil).
  await queueUsage(ctx.env, { tenantId: ctx.tenant.id, requestId: ctx.requestId }, calls, { waitUntil: (p) => ctx.waitUntil(p) });
  const answer = completion.choices?.[0]?.message ? toAssistant(completion.choices[0].message) : null;
  if (capture) ctx.waitUntil(afterAnswer(ctx, [], { ...capture, req, by, model: answering.entry, answer }, calls.at(-1)!));
  return new Response(text, { status: 200, headers: { ...servedHeaders(answering.entry, by, ctx.requestId), "Content-Type": "application/json" } });
}

/** The headers naming what answered. */
export function servedHeaders(model: ModelEntry, by: ServedBy, requestId: string): Record<string, string> {
  return { [SERVED_MODEL_HEADER]: model.id, [SERVED_BY_HEADER]: by, "X-Request-Id": requestId };
}

function teacherEntry(env: Bindings): ModelEntry {
  const catalog = loadCatalog(env);
  return resolveModel(catalog, catalog.defaults.teacher);
}

interface Capture {
  dataset: string;
}

/**
 * Where this exchange is captured, if anywhere: the `Distillery-Capture` header's dataset (checked
 * now: an unknown or closed dataset is the caller's 404/409 before anything is served), else the
 * tenant's sampled setting. `Distillery-Capture-Payload: false` records usage only.
 */
async function captureTarget(ctx: ServeContext, settings: ServingSettings): Promise<Capture | null> {
  if (ctx.headers.get("Distillery-Capture-Payload")?.trim().toLowerCase() === "false") return null;
  const named = ctx.headers.get("Distillery-Capture")?.trim();
  if (named) {
    const dataset = await ctx.tenant.datasets.openForRows(named);
    return { dataset: dataset.id };
  }
  const sampled = settings.capture;
  if (sampled && Math.random() < sampled.sample_rate) return { dataset: sampled.dataset };
  return null;
}

async function afterAnswer(
  ctx: ServeContext,
  calls: CallUsage[],
  capture: (Capture & { req: ChatRequest; by: ServedBy; model: ModelEntry; answer: AssistantMessage | null }) | null,
  last: CallUsage,
): Promise<void> {
  const tenantId = ctx.tenant.id;
  if (calls.length > 0) await queueUsage(ctx.env, { tenantId, requestId: ctx.requestId }, calls, { waitUntil: (p) => ctx.waitUntil(p) });
  if (!capture) return;
  await captureExchange(ctx.env, {
    tenantId,
    requestId: ctx.requestId,
    dataset: capture.dataset,
    prompt: promptOf(capture.req),
    answeredBy: capture.by === "student" ? "student" : "teacher",
    model: capture.model,
    answer: capture.answer,
    usage: { prompt_tokens: last.prompt_tokens, completion_tokens: last.completion_tokens },
  });
}

interface CompletionShape {
  choices?: Array<{ message?: { content?: string | null; tool_calls?: Array<{ id?: string; function?: { name?: string; arguments?: string } }> } }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number };
}

function parseCompletion(text: string): CompletionShape {
  try {
    return JSON.parse(text) as CompletionShape;
  } catch {
    throw new ApiError("upstream_error", "The model's provider answered with something other than JSON.");
  }
}

function usageOf(c: CompletionShape): { prompt_tokens: number; completion_tokens: number } {
  return { prompt_tokens: c.usage?.prompt_tokens ?? 0, completion_tokens: c.usage?.completion_tokens ?? 0 };
}

function toAssistant(m: NonNullable<NonNullable<CompletionShape["choices"]>[number]["message"]>): AssistantMessage {
  const calls = (m.tool_calls ?? []).map((c) => ({ id: c.id ?? "", type: "function" as const, function: { name: c.function?.name ?? "", arguments: c.function?.arguments ?? "" } }));
  return { role: "assistant", content: m.content ?? null, ...(calls.length ? { tool_calls: calls } : {}) };
}

function answerOf(tally: StreamTally): AssistantMessage {
  const calls = [...tally.toolCalls.values()].map((c) => ({ id: c.id, type: "function" as const, function: { name: c.name, arguments: c.arguments } }));
  return { role: "assistant", content: tally.content || (calls.length ? null : ""), ...(calls.length ? { tool_calls: calls } : {}) };
}

/**
 * A stream's usage: the upstream's usage chunk when it came; else (the client left first) the
 * prompt counted here and the completion tokens of what was relayed until then.
 */
async function streamUsage(req: ChatRequest, model: ModelEntry, tally: StreamTally): Promise<[number, number]> {
  if (tally.usage) return [tally.usage.prompt_tokens, tally.usage.completion_tokens];
  const { tokens } = await countChatTokens(req.messages as ChatCompletionMessageParam[], req.tools as ChatCompletionTool[] | undefined, model.encoding);
  const count = await tokenCounter(model.encoding);
  const relayed = tally.content + [...tally.toolCalls.values()].map((c) => c.arguments).join("");
  return [tokens, relayed ? count(relayed) : 0];
}
