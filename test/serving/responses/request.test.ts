import { describe, expect, it } from "vitest";
import { ApiError } from "../../../src/errors";
import { toChatParams, type ResponsesRequest } from "../../../src/serving/responses/request";

/** The ApiError toChatParams throws for `req`, or fails the test. */
function refusal(req: ResponsesRequest): ApiError {
  try {
    toChatParams(req);
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error("expected a refusal");
}

const paramOf = (err: ApiError) => (err.details as { path: string }[])[0]!.path;

describe("toChatParams: Responses input as chat messages", () => {
  it("sends text input as one user message, after the instructions as a system message", () => {
    const { params, echo } = toChatParams({ input: "What is due?", instructions: "Answer briefly." });
    expect(params.messages).toEqual([
      { role: "system", content: "Answer briefly." },
      { role: "user", content: "What is due?" },
    ]);
    expect(echo.instructions).toBe("Answer briefly.");
    expect(echo.text).toEqual({ format: { type: "text" } });
    expect(params.response_format).toBeUndefined();
  });

  it("maps message items, with text parts joined and developer as system", () => {
    const { params } = toChatParams({
      input: [
        { role: "developer", content: "Be terse." },
        { type: "message", role: "user", content: [{ type: "input_text", text: "One" }, { type: "input_text", text: "Two" }] },
        { type: "message", role: "assistant", content: [{ type: "output_text", text: "Earlier answer", annotations: [] }] },
        { role: "user", content: "Again" },
      ],
    });
    expect(params.messages).toEqual([
      { role: "system", content: "Be terse." },
      { role: "user", content: "One\nTwo" },
      { role: "assistant", content: "Earlier answer" },
      { role: "user", content: "Again" },
    ]);
  });

  it("turns function_call items into one assistant turn's tool calls and their outputs into tool messages", () => {
    const { params } = toChatParams({
      input: [
        { role: "user", content: "Weather in Oslo and Bergen?" },
        { type: "function_call", call_id: "call_1", name: "weather", arguments: '{"city":"Oslo"}', id: "fc_1", status: "completed" },
        { type: "function_call", call_id: "call_2", name: "weather", arguments: '{"city":"Bergen"}' },
        { type: "function_call_output", call_id: "call_1", output: "4 °C" },
        { type: "function_call_output", call_id: "call_2", output: [{ type: "input_text", text: "7 °C" }] },
      ],
    });
    expect(params.messages).toEqual([
      { role: "user", content: "Weather in Oslo and Bergen?" },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: "call_1", type: "function", function: { name: "weather", arguments: '{"city":"Oslo"}' } },
          { id: "call_2", type: "function", function: { name: "weather", arguments: '{"city":"Bergen"}' } },
        ],
      },
      { role: "tool", tool_call_id: "call_1", content: "4 °C" },
      { role: "tool", tool_call_id: "call_2", content: "7 °C" },
    ]);
  });

  it("attaches a function call to the assistant message just before it", () => {
    const { params } = toChatParams({
      input: [
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Let me look." },
        { type: "function_call", call_id: "c", name: "look", arguments: "{}" },
      ],
    });
    expect(params.messages[1]).toEqual({
      role: "assistant",
      content: "Let me look.",
      tool_calls: [{ id: "c", type: "function", function: { name: "look", arguments: "{}" } }],
    });
  });
});

describe("toChatParams: tools, formats and settings", () => {
  it("flattens function tools and a named tool choice into chat's nesting", () => {
    const parameters = { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false };
    const { params, echo } = toChatParams({
      input: "x",
      tools: [{ type: "function", name: "weather", description: "Weather now", parameters, strict: true }],
      tool_choice: { type: "function", name: "weather" },
      parallel_tool_calls: false,
    });
    expect(params.tools).toEqual([{ type: "function", function: { name: "weather", description: "Weather now", parameters, strict: true } }]);
    expect(params.tool_choice).toEqual({ type: "function", function: { name: "weather" } });
    expect(params.parallel_tool_calls).toBe(false);
    expect(echo.tools).toHaveLength(1);
    expect(echo.parallel_tool_calls).toBe(false);
  });

  it("sends text.format json_schema as response_format json_schema, and json_object as json_object", () => {
    const schema = { type: "object", properties: { answer: { type: "string" } }, required: ["answer"], additionalProperties: false };
    const strict = toChatParams({ input: "x", text: { format: { type: "json_schema", name: "answer", schema, strict: true } } });
    expect(strict.params.response_format).toEqual({ type: "json_schema", json_schema: { name: "answer", schema, strict: true } });
    expect(strict.echo.text.format).toMatchObject({ type: "json_schema", name: "answer" });
    expect(toChatParams({ input: "x", text: { format: { type: "json_object" } } }).params.response_format).toEqual({ type: "json_object" });
  });

  it("passes sampling settings and max_output_tokens as max_tokens", () => {
    const { params } = toChatParams({ input: "x", temperature: 0.2, top_p: 0.9, max_output_tokens: 50, user: "u1", metadata: { a: "b" } });
    expect(params).toMatchObject({ temperature: 0.2, top_p: 0.9, max_tokens: 50, user: "u1" });
    expect(params).not.toHaveProperty("metadata");
  });

  it("accepts store: false and the off values of refused fields", () => {
    expect(() => toChatParams({ input: "x", store: false, background: false, include: [], truncation: "disabled", previous_response_id: null })).not.toThrow();
  });
});

describe("toChatParams: what it refuses, by name", () => {
  it("refuses previous_response_id, saying responses are not stored and what to send instead", () => {
    const err = refusal({ input: "x", previous_response_id: "resp_123" });
    expect(err.status).toBe(400);
    expect(paramOf(err)).toBe("previous_response_id");
    expect(err.message).toMatch(/does not store responses.*input/);
  });

  it("refuses store: true rather than pretending to store", () => {
    const err = refusal({ input: "x", store: true });
    expect(paramOf(err)).toBe("store");
    expect(err.message).toMatch(/does not store/);
  });

  it.each([
    [{ background: true }, "background"],
    [{ include: ["reasoning.encrypted_content"] }, "include"],
    [{ reasoning: { effort: "low" } }, "reasoning"],
    [{ truncation: "auto" }, "truncation"],
    [{ conversation: "conv_1" }, "conversation"],
    [{ top_logprobs: 3 }, "top_logprobs"],
    [{ frobnicate: 1 }, "frobnicate"],
    [{ tools: [{ type: "web_search" }] }, "tools[0].type"],
    [{ tools: [{ type: "function", name: "f", parameters: {}, strict: true, defer_loading: true }] }, "tools[0].defer_loading"],
    [{ tool_choice: { type: "file_search" } }, "tool_choice"],
    [{ text: { format: { type: "grammar" } } }, "text.format.type"],
    [{ text: { format: { type: "json_schema", name: "n" } } }, "text.format.schema"],
    [{ text: { verbosity: "low" } }, "text.verbosity"],
  ] as [Partial<ResponsesRequest>, string][])("refuses %j naming %s", (extra, param) => {
    const err = refusal({ input: "x", ...extra });
    expect(err.status).toBe(400);
    expect(paramOf(err)).toBe(param);
  });

  it.each([
    [[{ type: "reasoning", id: "rs_1", summary: [] }], "input[0].type"],
    [[{ type: "item_reference", id: "msg_1" }], "input[0].type"],
    [[{ role: "user", content: [{ type: "input_image", image_url: "https://x/y.png" }] }], "input[0].content[0].type"],
    [[{ role: "tool", content: "x" }], "input[0].role"],
    [[{ type: "function_call_output", output: "x" }], "input[0].call_id"],
  ])("refuses the input item %j naming %s", (input, param) => {
    expect(paramOf(refusal({ input }))).toBe(param);
  });

  it("refuses a request with no input", () => {
    expect(paramOf(refusal({ instructions: "Only instructions" }))).toBe("input");
    expect(paramOf(refusal({ input: [] }))).toBe("input");
  });
});
