import { encode } from "gpt-tokenizer/encoding/o200k_base";
import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import { describe, expect, it } from "vitest";
import { emulatorClient } from "../helpers/emulator";
import { ALBUM_CONTEXT, ALBUM_SCHEMA, matchesSchema } from "./fixtures";

const MODEL = "gpt-4.1-mini-2025-04-14";
const client = emulatorClient();
const question = [{ role: "user" as const, content: `${ALBUM_CONTEXT}\nWhich song opens Abbey Road?` }];

describe("emulator: streamed chat completions", () => {
  it("streams a role delta, content in several deltas, a finish chunk, then a usage chunk", async () => {
    const stream = await client.chat.completions.create({ model: MODEL, messages: question, stream: true, stream_options: { include_usage: true } });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0]!.object).toBe("chat.completion.chunk");
    expect(chunks[0]!.choices[0]!.delta.role).toBe("assistant");
    const contentDeltas = chunks.filter((c) => c.choices[0]?.delta.content);
    expect(contentDeltas.length).toBeGreaterThan(2);
    const text = contentDeltas.map((c) => c.choices[0]!.delta.content).join("");
    const finish = chunks.find((c) => c.choices[0]?.finish_reason);
    expect(finish!.choices[0]!.finish_reason).toBe("stop");
    const usage = chunks[chunks.length - 1]!;
    expect(usage.choices).toEqual([]);
    expect(usage.usage!.completion_tokens).toBe(encode(text).length);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);

    const whole = await client.chat.completions.create({ model: MODEL, messages: question });
    expect(text).toBe(whole.choices[0]!.message.content);
  });

  it("omits the usage chunk unless include_usage is set", async () => {
    const stream = await client.chat.completions.create({ model: MODEL, messages: question, stream: true });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((c) => c.choices.length === 1 && !c.usage)).toBe(true);
  });

  it("streams tool calls: id, type and name first, then the arguments in pieces", async () => {
    const stream = await client.chat.completions.create({
      model: MODEL,
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: ALBUM_CONTEXT }],
      tools: [{ type: "function", function: { name: "Album", parameters: ALBUM_SCHEMA } }],
      tool_choice: "required",
    });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const callDeltas = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(callDeltas[0]).toMatchObject({ index: 0, type: "function", function: { name: "Album", arguments: "" } });
    expect(callDeltas[0]!.id).toMatch(/^call_/);
    expect(callDeltas.length).toBeGreaterThan(2);
    const args = callDeltas.map((d) => d.function?.arguments ?? "").join("");
    expect(matchesSchema(ALBUM_SCHEMA, JSON.parse(args))).toBe(true);
    expect(chunks.find((c) => c.choices[0]?.finish_reason)!.choices[0]!.finish_reason).toBe("tool_calls");
    expect(chunks[chunks.length - 1]!.usage!.completion_tokens).toBe(encode(args).length);
  });

  it("works with the SDK's .stream() helper for content and tool calls", async () => {
    const deltas: string[] = [];
    // Answering from the context is the teacher's profile (emulator README, "Model profiles").
    const runner = client.chat.completions.stream({ model: "gpt-6.1-sol", messages: question }).on("content", (d) => deltas.push(d));
    const completion = await runner.finalChatCompletion();
    expect(completion.choices[0]!.message.content).toBe(deltas.join(""));
    expect(completion.choices[0]!.message.content).toContain("Come Together");

    const tools = client.chat.completions.stream({
      // Filling a schema faithfully is the teacher's profile (emulator README, "Model profiles").
      model: "gpt-6.1-sol",
      messages: [{ role: "user", content: ALBUM_CONTEXT }],
      tools: [{ type: "function", function: { name: "Album", parameters: ALBUM_SCHEMA } }],
      tool_choice: { type: "function", function: { name: "Album" } },
    });
    const final = await tools.finalChatCompletion();
    const call = final.choices[0]!.message.tool_calls![0]!;
    if (call.type !== "function") throw new Error("expected a function call");
    expect(call.function.name).toBe("Album");
    expect(JSON.parse(call.function.arguments)).toMatchObject({ name: "Abbey Road", artist: "The Beatles" });
  });
});
