import type { ChatCompletion } from "openai/resources/chat/completions";
import { describe, expect, it } from "vitest";
import type { ResponseEcho } from "../../../src/serving/responses/request";
import { type ResponseContext, toResponse } from "../../../src/serving/responses/response";

const ECHO: ResponseEcho = {
  instructions: "Be brief.",
  tools: [],
  tool_choice: "auto",
  parallel_tool_calls: true,
  text: { format: { type: "text" } },
  temperature: 0.3,
  top_p: null,
  max_output_tokens: null,
  metadata: { app: "x" },
};

function context(): ResponseContext {
  let n = 0;
  return { id: "resp_1", createdAt: 1_800_000_000, model: "student-1", echo: ECHO, itemId: (p) => `${p}_${++n}` };
}

function completion(message: Partial<ChatCompletion.Choice["message"]>, finish: ChatCompletion.Choice["finish_reason"] = "stop"): ChatCompletion {
  return {
    id: "chatcmpl-1",
    object: "chat.completion",
    created: 1,
    model: "upstream-name",
    choices: [{ index: 0, finish_reason: finish, logprobs: null, message: { role: "assistant", content: null, refusal: null, ...message } }],
    usage: { prompt_tokens: 20, completion_tokens: 4, total_tokens: 24, prompt_tokens_details: { cached_tokens: 8 } },
  };
}

describe("toResponse", () => {
  it("makes a completed Response with one message item, usage in Responses' names and the settings echoed", () => {
    const res = toResponse(completion({ content: "Forty-two." }), context());
    expect(res).toMatchObject({
      id: "resp_1",
      object: "response",
      created_at: 1_800_000_000,
      status: "completed",
      model: "student-1",
      error: null,
      incomplete_details: null,
      instructions: "Be brief.",
      temperature: 0.3,
      metadata: { app: "x" },
      previous_response_id: null,
      store: false,
      usage: { input_tokens: 20, input_tokens_details: { cached_tokens: 8, cache_write_tokens: 0 }, output_tokens: 4, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 24 },
    });
    expect(res.output).toEqual([
      { id: "msg_1", type: "message", role: "assistant", status: "completed", content: [{ type: "output_text", text: "Forty-two.", annotations: [], logprobs: [] }] },
    ]);
    expect(res).not.toHaveProperty("output_text");
  });

  it("makes each tool call a function_call item keeping the upstream's call id", () => {
    const res = toResponse(
      completion(
        {
          tool_calls: [
            { id: "call_1", type: "function", function: { name: "weather", arguments: '{"city":"Oslo"}' } },
            { id: "call_2", type: "function", function: { name: "weather", arguments: '{"city":"Bergen"}' } },
          ],
        },
        "tool_calls",
      ),
      context(),
    );
    expect(res.status).toBe("completed");
    expect(res.output).toEqual([
      { id: "fc_1", type: "function_call", status: "completed", call_id: "call_1", name: "weather", arguments: '{"city":"Oslo"}' },
      { id: "fc_2", type: "function_call", status: "completed", call_id: "call_2", name: "weather", arguments: '{"city":"Bergen"}' },
    ]);
  });

  it("is incomplete, naming max_output_tokens, when the upstream hit the token limit", () => {
    const res = toResponse(completion({ content: "Cut sh" }, "length"), context());
    expect(res.status).toBe("incomplete");
    expect(res.incomplete_details).toEqual({ reason: "max_output_tokens" });
    expect(res.output[0]!.status).toBe("incomplete");
    expect(res.completed_at).toBeNull();
  });

  it("keeps a refusal as a refusal content part", () => {
    const res = toResponse(completion({ refusal: "I can't help with that." }), context());
    expect(res.output[0]).toMatchObject({ type: "message", content: [{ type: "refusal", refusal: "I can't help with that." }] });
  });
});
