import type OpenAI from "openai";
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from "openai/resources/chat/completions";
import type { Bindings } from "../env";
import { callOptions, callProvider, type ModelEntry, sharedClient } from "../llm";
import type { CallUsage } from "../usage/record";

/** Parameters of a chat call, without the model (the entry decides the upstream name). */
export type ChatParams = Omit<ChatCompletionCreateParamsNonStreaming, "model">;

/**
 * One chat completion through the official SDK, with provider errors mapped to
 * ours (rate limit → 429 with Retry-After, outage → 502/503, bad request → 400).
 */
export async function chatCall(
  env: Bindings,
  model: ModelEntry,
  params: ChatParams,
  requestId: string,
  client?: OpenAI,
): Promise<{ completion: ChatCompletion; usage: CallUsage }> {
  // The isolate's client for the provider; the request id goes with the call.
  const sdk = client ?? sharedClient(env, model.provider);
  const completion = await callProvider(model.provider, () => sdk.chat.completions.create({ ...params, model: model.model }, callOptions(requestId)));
  return {
    completion,
    usage: {
      model,
      kind: "chat",
      prompt_tokens: completion.usage?.prompt_tokens ?? 0,
      completion_tokens: completion.usage?.completion_tokens ?? 0,
    },
  };
}
