import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import { Stream } from "openai/core/streaming";
import { describe, expect, it } from "vitest";
import type { ResponseEcho } from "../../../src/serving/responses/request";
import type { ResponseContext } from "../../../src/serving/responses/response";
import {
  chunkSource,
  type ResponseEvent,
  responsesEventStream,
  ResponsesStreamTranslator,
  type StreamFailure,
} from "../../../src/serving/responses/stream";

const ECHO: ResponseEcho = {
  instructions: null,
  tools: [],
  tool_choice: "auto",
  parallel_tool_calls: true,
  text: { format: { type: "text" } },
  temperature: null,
  top_p: null,
  max_output_tokens: null,
  metadata: {},
};

function context(): ResponseContext {
  let n = 0;
  return { id: "resp_test", createdAt: 1_800_000_000, model: "student-1", echo: ECHO, itemId: (p) => `${p}_${++n}` };
}

type Delta = ChatCompletionChunk.Choice.Delta;

function chunk(delta: Delta, finish: ChatCompletionChunk.Choice["finish_reason"] = null): ChatCompletionChunk {
  return { id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] };
}

const USAGE_CHUNK: ChatCompletionChunk = {
  id: "chatcmpl-1",
  object: "chat.completion.chunk",
  created: 1,
  model: "m",
  choices: [],
  usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 },
};

function translate(chunks: ChatCompletionChunk[]): ResponseEvent[] {
  const t = new ResponsesStreamTranslator(context());
  return [...t.start(), ...chunks.flatMap((c) => t.chunk(c)), ...t.finish()];
}

const types = (events: ResponseEvent[]) => events.map((e) => e.type);

/** Reads an SSE body back as the `openai` SDK does (its own SSE parser), so the wire format is the SDK's. */
async function sdkEvents(body: ReadableStream<Uint8Array>): Promise<ResponseEvent[]> {
  const out: ResponseEvent[] = [];
  for await (const e of Stream.fromSSEResponse<ResponseEvent>(new Response(body), new AbortController())) out.push(e);
  return out;
}

const textChunks = [
  chunk({ role: "assistant", content: "" }),
  chunk({ content: "Hello" }),
  chunk({ content: " there" }),
  chunk({}, "stop"),
  USAGE_CHUNK,
];

describe("ResponsesStreamTranslator", () => {
  it("streams text as a message item: added, part added, deltas, done events, then completed with usage", () => {
    const events = translate(textChunks);
    expect(types(events)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events[0]).toMatchObject({ response: { id: "resp_test", status: "in_progress", output: [], usage: null, model: "student-1" } });
    expect(events[4]).toEqual({ type: "response.output_text.delta", sequence_number: 4, item_id: "msg_1", output_index: 0, content_index: 0, delta: "Hello", logprobs: [] });
    expect(events[6]).toMatchObject({ text: "Hello there", item_id: "msg_1" });
    const completed = events.at(-1)!.response as Record<string, any>;
    expect(completed.status).toBe("completed");
    expect(completed.output).toEqual([
      { id: "msg_1", type: "message", role: "assistant", status: "completed", content: [{ type: "output_text", text: "Hello there", annotations: [], logprobs: [] }] },
    ]);
    expect(completed.usage).toEqual({
      input_tokens: 12,
      input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
      output_tokens: 5,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 17,
    });
  });

  it("keeps the item in the added event as it was then (in progress, empty)", () => {
    const added = translate(textChunks).find((e) => e.type === "response.output_item.added")!;
    expect(added.item).toEqual({ id: "msg_1", type: "message", role: "assistant", status: "in_progress", content: [] });
  });

  it("streams a tool call's arguments as function_call_arguments deltas of a function_call item", () => {
    const events = translate([
      chunk({ role: "assistant", content: null }),
      chunk({ tool_calls: [{ index: 0, id: "call_abc", type: "function", function: { name: "weather", arguments: "" } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"Oslo"}' } }] }),
      chunk({}, "tool_calls"),
      USAGE_CHUNK,
    ]);
    expect(types(events)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.function_call_arguments.delta",
      "response.function_call_arguments.delta",
      "response.function_call_arguments.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(events[2]!.item).toEqual({ id: "fc_1", type: "function_call", status: "in_progress", call_id: "call_abc", name: "weather", arguments: "" });
    expect(events[3]).toEqual({ type: "response.function_call_arguments.delta", sequence_number: 3, item_id: "fc_1", output_index: 0, delta: '{"city":' });
    expect(events[5]).toMatchObject({ arguments: '{"city":"Oslo"}' });
    expect((events.at(-1)!.response as any).output).toEqual([
      { id: "fc_1", type: "function_call", status: "completed", call_id: "call_abc", name: "weather", arguments: '{"city":"Oslo"}' },
    ]);
  });

  it("closes a message before the tool call that follows it, and numbers both items", () => {
    const events = translate([
      chunk({ content: "Checking." }),
      chunk({ tool_calls: [{ index: 0, id: "c1", type: "function", function: { name: "a", arguments: "{}" } }] }),
      chunk({ tool_calls: [{ index: 1, id: "c2", type: "function", function: { name: "b", arguments: "{}" } }] }),
      chunk({}, "tool_calls"),
    ]);
    const itemDone = events.filter((e) => e.type === "response.output_item.done");
    expect(itemDone.map((e) => e.output_index)).toEqual([0, 1, 2]);
    const firstCall = events.findIndex((e) => e.type === "response.output_item.added" && (e.item as any).type === "function_call");
    expect(events.findIndex((e) => e.type === "response.output_item.done")).toBeLessThan(firstCall);
    expect((events.at(-1)!.response as any).output.map((i: any) => i.type)).toEqual(["message", "function_call", "function_call"]);
  });

  it("ends as incomplete (max_output_tokens) when the upstream stopped at the token limit", () => {
    const events = translate([chunk({ content: "Cut" }), chunk({}, "length")]);
    const last = events.at(-1)!;
    expect(last.type).toBe("response.incomplete");
    expect(last.response).toMatchObject({ status: "incomplete", incomplete_details: { reason: "max_output_tokens" } });
    expect((last.response as any).output[0].status).toBe("incomplete");
  });

  it("streams a refusal as a refusal part", () => {
    const events = translate([chunk({ refusal: "I can't" }), chunk({ refusal: " help." }), chunk({}, "stop")]);
    expect(types(events)).toContain("response.refusal.delta");
    expect(events.find((e) => e.type === "response.refusal.done")).toMatchObject({ refusal: "I can't help." });
  });
});

describe("responsesEventStream", () => {
  it("sends the created event before any chunk arrives (nothing is held back)", async () => {
    const { readable, writable } = responsesEventStream(context());
    const reader = readable.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toMatch(/^event: response\.created\ndata: \{/);
    const writer = writable.getWriter();
    void writer.write(chunk({ content: "Hi" }));
    const next = new TextDecoder().decode((await reader.read()).value);
    expect(next).toContain("event: response.output_text.delta");
    await writer.close();
    await reader.cancel();
  });

  it("writes events the openai SDK's SSE reader parses, ending without [DONE]", async () => {
    const body = chunkSource((async function* () { yield* textChunks; })(), () => ({ code: "server_error" as const, message: "x" })).pipeThrough(responsesEventStream(context()));
    const events = await sdkEvents(body);
    expect(events.at(0)!.type).toBe("response.created");
    expect(events.at(-1)!.type).toBe("response.completed");
    expect(events.filter((e) => e.type === "response.output_text.delta").map((e) => e.delta).join("")).toBe("Hello there");
  });

  it("ends with response.failed, keeping what came, when the upstream breaks off mid-stream", async () => {
    async function* broken() {
      yield chunk({ content: "Partial" });
      throw new Error("connection reset");
    }
    const failure = (err: unknown): StreamFailure["failure"] => ({ code: "server_error", message: `The model's stream broke off: ${(err as Error).message}` });
    const events = await sdkEvents(chunkSource(broken(), failure).pipeThrough(responsesEventStream(context())));
    const last = events.at(-1)!;
    expect(last.type).toBe("response.failed");
    expect(last.response).toMatchObject({ status: "failed", error: { code: "server_error", message: "The model's stream broke off: connection reset" } });
    expect((last.response as any).output[0]).toMatchObject({ status: "incomplete", content: [{ text: "Partial" }] });
  });

  it("returns the upstream iterator when the client cancels, so the upstream request is aborted", async () => {
    // Resolved by the iterator's return(): the pipe propagates a cancel to its source asynchronously.
    let markReturned!: () => void;
    const returned = new Promise<void>((resolve) => (markReturned = resolve));
    const source: AsyncIterable<ChatCompletionChunk> = {
      [Symbol.asyncIterator]: () => ({
        next: async () => ({ done: false, value: chunk({ content: "more " }) }),
        return: async () => {
          markReturned();
          return { done: true, value: undefined };
        },
      }),
    };
    const reader = chunkSource(source, () => ({ code: "server_error" as const, message: "x" })).pipeThrough(responsesEventStream(context())).getReader();
    await reader.read();
    await reader.read();
    await reader.cancel();
    await expect(returned).resolves.toBeUndefined();
  });
});
