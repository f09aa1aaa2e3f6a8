import { Hono } from "hono";
import { checkChatRequest } from "../chat/checks";
import { planChat, scriptApplies } from "../chat/plan";
import { chatRequestSchema, messageText } from "../chat/request";
import { generateChoices } from "../chat/respond";
import { heldStream, streamBody, streamEvents, type Usage } from "../chat/stream";
import { invalidRequest } from "../errors";
import { buildContext, type PlainMessage } from "../generate/context";
import { hash53, randomId } from "../ids";
import { faultError } from "../runs/faults";
import type { AppEnv, Services } from "../services";
import { countPromptTokens, tokenizer } from "../tokens";
import { parseOrThrow, readJsonText } from "../validation";

/** POST /v1/chat/completions: deterministic answers grounded in the prompt, streamed or not. */
export function chatRoutes(services: Services) {
  return new Hono<AppEnv>().post("/chat/completions", async (c) => {
    const raw = await c.req.text();
    const req = parseOrThrow(chatRequestSchema, readJsonText(raw));
    const model = services.resolveModel(req.model);
    checkChatRequest(req, model);
    const run = c.get("run");
    const tok = tokenizer(model.encoding);
    const messages: PlainMessage[] = req.messages.map((m) => ({ role: m.role, text: messageText(m) }));
    const schema = req.response_format?.type === "json_schema" ? req.response_format.json_schema.schema : undefined;
    const promptTokens = countPromptTokens(
      tok,
      req.messages.map((m, i) => ({ role: m.role, content: messages[i]?.text ?? "", ...(m.name ? { name: m.name } : {}), ...(m.tool_calls ? { tool_calls: m.tool_calls } : {}) })),
      { ...(req.tools ? { tools: req.tools } : {}), ...(schema ? { schema } : {}) },
    );
    const maxTokens = req.max_completion_tokens ?? req.max_tokens ?? 0;
    if (promptTokens + maxTokens > model.context_window) {
      throw invalidRequest(
        `This model's maximum context length is ${model.context_window} tokens. However, your messages resulted in ${promptTokens} tokens${maxTokens ? ` (and ${maxTokens} requested for the completion)` : ""}. Please reduce the length of the messages.`,
        "messages",
        "context_length_exceeded",
      );
    }
    const admission = services.limiter.admit(run.name, run.config, model.id, promptTokens + maxTokens);

    const plan = planChat(req, buildContext(messages));
    const step = services.runs.consumeScript(run, raw, (s) => scriptApplies(s, plan, req.stream === true));
    if (step?.action === "server_error") {
      services.limiter.settle(admission, 0);
      throw faultError(500);
    }
    // A profile's draws key on what was asked (the messages and the tools), never on the model's name.
    const requestKey = JSON.stringify([messages, req.tools?.map((t) => t.function.name) ?? [], plan.mode]);
    const choices = generateChoices(req, plan, messages, tok, step?.action ?? null, { profile: services.profileFor(model.id), requestKey });
    const completionTokens = choices.reduce((s, ch) => s + ch.completionTokens, 0);
    const usage: Usage = {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    };
    services.limiter.settle(admission, usage.total_tokens);
    services.runs.bump(run.name, "tokens", "prompt", promptTokens);
    services.runs.bump(run.name, "tokens", "completion", completionTokens);
    services.runs.bump(run.name, "tokens", "total", usage.total_tokens);
    for (const [k, v] of Object.entries(services.limiter.headers(run.name, run.config))) c.header(k, v);

    const base = {
      id: randomId("chatcmpl-", 29),
      created: Math.floor(Date.now() / 1000),
      model: model.id,
      system_fingerprint: `fp_${hash53(model.id).toString(16).slice(0, 10)}`,
    };
    if (req.stream) {
      c.header("content-type", "text/event-stream; charset=utf-8");
      c.header("cache-control", "no-cache");
      if (step?.action === "hang_stream") {
        services.runs.bump(run.name, "streams", "held");
        const events = streamEvents(base, choices, req.stream_options?.include_usage ? usage : null);
        return c.body(heldStream(events, () => services.runs.bump(run.name, "streams", "cancelled")));
      }
      return c.body(streamBody(base, choices, req.stream_options?.include_usage ? usage : null));
    }
    return c.json({
      ...base,
      object: "chat.completion",
      choices: choices.map((ch) => ({
        index: ch.index,
        message: {
          role: "assistant",
          content: ch.content,
          refusal: ch.refusal,
          ...(ch.toolCalls.length ? { tool_calls: ch.toolCalls } : {}),
          annotations: [],
        },
        logprobs: null,
        finish_reason: ch.finishReason,
      })),
      usage,
      service_tier: "default",
    });
  });
}
