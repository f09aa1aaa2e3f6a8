import * as cl100k from "gpt-tokenizer/encoding/cl100k_base";
import * as o200k from "gpt-tokenizer/encoding/o200k_base";
import { type BpeEncoding, linearCounter } from "../../src/llm/bpe-count";
import type { Encoding } from "./models";

/** A tokenizer for one of the two encodings our models use. */
export interface Tokenizer {
  encode(text: string): number[];
  decode(tokens: number[]): string;
  count(text: string): number;
}

const make = (api: typeof o200k): Tokenizer => ({
  // Special-token text in user content is counted as plain text, as the API does.
  encode: (text) => api.encode(text, { disallowedSpecial: new Set() }),
  decode: (tokens) => api.decode(tokens),
  // The same count in linear time (the library's encode is quadratic in a long pre-token, so a
  // document of unbroken text took minutes to embed here): exact wherever the provider's could be
  // checked, over-counting only pre-tokens past 256 KiB. Shared with the Worker, which must count
  // as the provider does.
  count: linearCounter(api.default as unknown as BpeEncoding),
});

const TOKENIZERS: Record<Encoding, Tokenizer> = {
  o200k_base: make(o200k),
  cl100k_base: make(cl100k as typeof o200k),
};

export function tokenizer(encoding: Encoding): Tokenizer {
  return TOKENIZERS[encoding];
}

/** The fields of a chat message that count toward the prompt. */
export interface CountableMessage {
  role: string;
  content: string;
  name?: string;
  tool_calls?: Array<{ function: { name: string; arguments: string } }>;
}

/**
 * OpenAI cookbook's count: 3 framing tokens per message, plus role and content (and 1
 * for a name), plus 3 priming the reply. Tool definitions and a json_schema add the
 * tokens of their JSON text and a few framing tokens each.
 */
export function countPromptTokens(
  tok: Tokenizer,
  messages: CountableMessage[],
  extras: { tools?: unknown[]; schema?: unknown } = {},
): number {
  let total = 3;
  for (const m of messages) {
    total += 3 + tok.count(m.role) + tok.count(m.content);
    if (m.name) total += tok.count(m.name) + 1;
    for (const call of m.tool_calls ?? []) total += 3 + tok.count(call.function.name) + tok.count(call.function.arguments);
  }
  if (extras.tools?.length) {
    total += 12;
    for (const tool of extras.tools) total += 7 + tok.count(JSON.stringify(tool));
  }
  if (extras.schema !== undefined) total += 8 + tok.count(JSON.stringify(extras.schema));
  return total;
}
