import {
  type ChatCompletionFunctionDefinition,
  type ChatMessage,
  computeChatCompletionTokenCount,
  FUNCTION_CALL_METADATA_TOKEN_OVERHEAD,
} from "gpt-tokenizer/functionCalling";
import type { ChatCompletionMessageParam, ChatCompletionTool } from "openai/resources/chat/completions";
import { type BpeEncoding, linearCounter } from "./bpe-count";
import type { TokenEncoding } from "./catalog-schema";

/** A token count; `estimated` when the model's tokenizer is not shipped and chars / 4 stood in. */
export interface TokenCount {
  tokens: number;
  estimated: boolean;
}

/** Counts the tokens of one string, synchronously, once the encoding is loaded. */
export type TextCounter = (text: string) => number;

// Each encoding's tables are megabytes of JavaScript that take a while to evaluate: they load on
// first use, never at start-up (a Worker must start within 1 s), and once per isolate.
const loaders: Record<Exclude<TokenEncoding, "estimate">, () => Promise<GptEncoding>> = {
  cl100k_base: () => import("gpt-tokenizer/encoding/cl100k_base").then((m) => m.default),
  o200k_base: () => import("gpt-tokenizer/encoding/o200k_base").then((m) => m.default),
};
type GptEncoding = (typeof import("gpt-tokenizer/encoding/cl100k_base"))["default"];
const loaded = new Map<TokenEncoding, Promise<TextCounter>>();

const CHARS_PER_TOKEN = 4;
const estimateText: TextCounter = (text) => Math.ceil(text.length / CHARS_PER_TOKEN);

/** A synchronous counter for `encoding`, for loops that count many strings (splitting, batching). */
export function tokenCounter(encoding: TokenEncoding): Promise<TextCounter> {
  let counter = loaded.get(encoding);
  if (!counter) {
    counter =
      encoding === "estimate"
        ? Promise.resolve(estimateText)
        : // Special-token strings such as "<|endoftext|>" in user text are ordinary text: the counter
          // splits with the encoding's regex only, so they count as the characters they are.
          // Linear on every input (bpe-count.ts): gpt-tokenizer's own count is quadratic in a pre-token.
          loaders[encoding]().then((enc): TextCounter => linearCounter(enc as unknown as BpeEncoding));
    // A failed load is not cached, so the next call tries again.
    counter.catch(() => loaded.delete(encoding));
    loaded.set(encoding, counter);
  }
  return counter;
}

/** Tokens in `text` under `encoding`. */
export async function countTokens(text: string, encoding: TokenEncoding): Promise<TokenCount> {
  const count = await tokenCounter(encoding);
  return { tokens: count(text), estimated: encoding === "estimate" };
}

/**
 * Prompt tokens of a chat request, by OpenAI's published accounting (3 per message, 3 to prime
 * the reply, tools rendered as a TypeScript namespace), as gpt-tokenizer implements it. Exact for
 * plain messages; within a few tokens with tools. Image parts are not counted.
 */
export async function countChatTokens(
  messages: readonly ChatCompletionMessageParam[],
  tools: readonly ChatCompletionTool[] | undefined,
  encoding: TokenEncoding,
): Promise<TokenCount> {
  const count = await tokenCounter(encoding);
  const chat: ChatMessage[] = [];
  let toolCallTokens = 0;
  for (const message of messages) {
    const converted: ChatMessage = { role: message.role, content: textOf(message.content) };
    if ("name" in message && message.name) converted.name = message.name;
    chat.push(converted);
    if (message.role === "assistant") {
      for (const call of message.tool_calls ?? []) {
        const [name, args] = call.type === "function" ? [call.function.name, call.function.arguments] : [call.custom.name, call.custom.input];
        toolCallTokens += count(name) + count(args) + FUNCTION_CALL_METADATA_TOKEN_OVERHEAD;
      }
    }
  }
  const functions: ChatCompletionFunctionDefinition[] = (tools ?? []).map((tool) =>
    tool.type === "function"
      ? {
          name: tool.function.name,
          description: tool.function.description,
          parameters: tool.function.parameters as ChatCompletionFunctionDefinition["parameters"],
        }
      : { name: tool.custom.name, description: tool.custom.description },
  );
  const tokens = computeChatCompletionTokenCount({ messages: chat, functions }, count) + toolCallTokens;
  return { tokens, estimated: encoding === "estimate" };
}

function textOf(content: ChatCompletionMessageParam["content"]): string {
  if (content == null) return "";
  if (typeof content === "string") return content;
  return content
    .map((part) => ("text" in part ? part.text : "refusal" in part ? part.refusal : ""))
    .join("");
}
