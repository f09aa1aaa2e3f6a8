import cl100k from "gpt-tokenizer/encoding/cl100k_base";
import o200k from "gpt-tokenizer/encoding/o200k_base";
import gpt4o from "gpt-tokenizer/model/gpt-4o";
import { describe, expect, it } from "vitest";
import { countChatTokens, countTokens, tokenCounter } from "../../src/llm";

const TEXT = "Distillery turns a strong teacher into a cheap student. Ünïcødé, emoji 🚀, and code: const x = 1;";

describe("countTokens", () => {
  it("matches gpt-tokenizer for o200k_base and cl100k_base", async () => {
    expect(await countTokens(TEXT, "o200k_base")).toEqual({ tokens: o200k.encode(TEXT).length, estimated: false });
    expect(await countTokens(TEXT, "cl100k_base")).toEqual({ tokens: cl100k.encode(TEXT).length, estimated: false });
    expect(o200k.encode(TEXT).length).not.toBe(cl100k.encode(TEXT).length);
  });

  it("treats <|endoftext|> in user text as ordinary characters, not a special token", async () => {
    const text = "before <|endoftext|> after";
    expect(() => o200k.encode(text)).toThrow(/Disallowed special token/);
    const plain = o200k.encode(text, { disallowedSpecial: new Set() });
    expect(o200k.decode(plain)).toBe(text);
    expect(await countTokens(text, "o200k_base")).toEqual({ tokens: plain.length, estimated: false });

    const alone = await countTokens("<|endoftext|>", "cl100k_base");
    expect(cl100k.encode("<|endoftext|>", { allowedSpecial: new Set(["<|endoftext|>"]) })).toHaveLength(1);
    expect(alone.tokens).toBe(cl100k.encode("<|endoftext|>", { disallowedSpecial: new Set() }).length);
    expect(alone.tokens).toBeGreaterThan(1);
  });

  it("estimates chars / 4 for models without a shipped tokenizer, and says so", async () => {
    expect(await countTokens("x".repeat(10), "estimate")).toEqual({ tokens: 3, estimated: true });
    expect(await countTokens("", "o200k_base")).toEqual({ tokens: 0, estimated: false });
  });

  it("hands out a synchronous counter for loops", async () => {
    const count = await tokenCounter("cl100k_base");
    expect(count(TEXT)).toBe(cl100k.encode(TEXT).length);
    expect(await tokenCounter("cl100k_base")).toBe(count);
  });
});

describe("countChatTokens", () => {
  const messages = [
    { role: "system" as const, content: "You answer from the context only." },
    { role: "user" as const, content: "What does <|endoftext|> mean?", name: "alice" },
    { role: "assistant" as const, content: "It marks the end of a document." },
  ];

  it("matches gpt-tokenizer's OpenAI chat accounting for plain messages", async () => {
    const expected = gpt4o.countChatCompletionTokens!({ messages: messages.map((m) => ({ ...m })) });
    expect(await countChatTokens(messages, undefined, "o200k_base")).toEqual({ tokens: expected, estimated: false });
  });

  it("counts tool definitions the way gpt-tokenizer counts functions", async () => {
    const parameters = {
      type: "object" as const,
      properties: { query: { type: "string" as const, description: "what to look up" }, k: { type: "integer" as const } },
      required: ["query"],
    };
    const tools = [{ type: "function" as const, function: { name: "search", description: "Search the documents", parameters } }];
    const expected = gpt4o.countChatCompletionTokens!({ messages, functions: [{ name: "search", description: "Search the documents", parameters }] });
    const counted = await countChatTokens(messages, tools, "o200k_base");
    expect(counted.tokens).toBe(expected);
    expect(counted.tokens).toBeGreaterThan((await countChatTokens(messages, undefined, "o200k_base")).tokens);
  });

  it("counts an assistant's tool calls and text parts", async () => {
    const base = await countChatTokens([{ role: "user", content: [{ type: "text", text: "hi" }] }], undefined, "o200k_base");
    expect(base.tokens).toBe(gpt4o.countChatCompletionTokens!({ messages: [{ role: "user", content: "hi" }] }));
    const withCall = await countChatTokens(
      [
        { role: "user", content: "hi" },
        { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "search", arguments: '{"query":"x"}' } }] },
      ],
      undefined,
      "o200k_base",
    );
    expect(withCall.tokens).toBeGreaterThan(base.tokens + 3);
  });

  it("estimates for estimate models and flags it", async () => {
    const counted = await countChatTokens(messages, undefined, "estimate");
    expect(counted.estimated).toBe(true);
    expect(counted.tokens).toBeGreaterThan(0);
  });
});
