import { describe, expect, it } from "vitest";
import { checkExample, FORMAT_ERROR_KINDS, type FormatErrorKind } from "../../src/datasets/validate";
import { ALBUM_TOOL, jsonExample, toolsExample } from "./validate.fixture";

const kinds = (value: unknown) => checkExample(value).map((e) => e.kind);
const user = { role: "user", content: "Hi" };
const answer = { role: "assistant", content: "Hello" };
const call = (id: string, name = "album", args = "{}") => ({ id, type: "function", function: { name, arguments: args } });

/** The cookbook's content rule, verbatim in spirit: `(not content and not function_call) or not isinstance(content, str)`. */
function cookbookMissingContent(message: Record<string, unknown>): boolean {
  const content = message.content;
  return (!content && !message.function_call) || typeof content !== "string";
}

describe("checkExample: valid examples", () => {
  it("accepts what capture makes in both modes", () => {
    expect(checkExample(toolsExample("Heat"))).toEqual([]);
    expect(checkExample(jsonExample("Heat"))).toEqual([]);
  });

  it("accepts an assistant tool call without content, which the cookbook wrongly flags", () => {
    const example = toolsExample("Heat");
    const assistant = example.messages[2] as Record<string, unknown>;
    expect(cookbookMissingContent(assistant)).toBe(true);
    expect(checkExample(example)).toEqual([]);
    // null content and text beside the calls are fine too.
    for (const content of [null, "", "Looking it up."]) {
      expect(checkExample({ ...example, messages: [example.messages[0], example.messages[1], { ...assistant, content }] })).toEqual([]);
    }
  });

  it("accepts a multi-turn tool exchange: call, tool result answering its id, final answer", () => {
    const example = {
      messages: [
        { role: "developer", content: "Use the tools." },
        { role: "user", content: "Albums of Heat and Alien?", name: "alice" },
        { role: "assistant", tool_calls: [call("a", "album", '{"movie":"Heat"}'), call("b", "album", '{"movie":"Alien"}')], weight: 0 },
        { role: "tool", tool_call_id: "a", content: "Heat OST" },
        { role: "tool", tool_call_id: "b", content: [{ type: "text", text: "Alien OST" }] },
        { role: "assistant", content: "Heat OST and Alien OST.", weight: 1 },
      ],
      tools: [ALBUM_TOOL],
      parallel_tool_calls: true,
    };
    expect(checkExample(example)).toEqual([]);
  });

  it("accepts tool calls without top-level tools (names are then unchecked), content parts, a user image and a refusal", () => {
    expect(checkExample({ messages: [user, { role: "assistant", tool_calls: [call("x", "anything")] }] })).toEqual([]);
    const parts = [{ type: "text", text: "What is this?" }, { type: "image_url", image_url: { url: "https://x/y.png" } }];
    expect(checkExample({ messages: [{ role: "user", content: parts }, answer] })).toEqual([]);
    expect(checkExample({ messages: [user, { role: "assistant", refusal: "I can't help with that." }] })).toEqual([]);
  });
});

describe("checkExample: the cookbook's seven kinds", () => {
  it("data_type: an example that is not an object, or a message that is not", () => {
    for (const value of [null, [], "text", 42, true]) expect(kinds(value)).toEqual(["data_type"]);
    expect(checkExample({ messages: ["hi", answer] })).toEqual([
      { kind: "data_type", path: "messages[0]", message: "messages[0] must be an object, not a string" },
    ]);
  });

  it("missing_messages_list: no messages, an empty list or not a list", () => {
    for (const value of [{}, { messages: [] }, { messages: "hi" }, { messages: {} }]) expect(kinds(value)).toEqual(["missing_messages_list"]);
  });

  it("message_missing_key: no role, no content, an assistant with neither content nor tool_calls, a tool without tool_call_id", () => {
    expect(kinds({ messages: [{ content: "Hi" }, answer] })).toEqual(["message_missing_key"]);
    expect(kinds({ messages: [{ role: "user" }, answer] })).toEqual(["message_missing_key"]);
    expect(kinds({ messages: [user, { role: "assistant" }] })).toEqual(["message_missing_key"]);
    expect(checkExample({ messages: [user, { role: "assistant", tool_calls: [call("a")] }, { role: "tool", content: "x" }, answer] })).toEqual([
      { kind: "message_missing_key", path: "messages[2]", message: 'messages[2] (tool) has no "tool_call_id" naming the call it answers' },
    ]);
  });

  it("message_unrecognized_key: unknown keys, weight off the assistant, tool_calls off the assistant", () => {
    expect(checkExample({ messages: [{ ...user, mood: "happy" }, answer] })).toEqual([
      { kind: "message_unrecognized_key", path: "messages[0].mood", message: 'messages[0] (user) has unrecognized key "mood"' },
    ]);
    expect(kinds({ messages: [{ ...user, weight: 1 }, answer] })).toEqual(["message_unrecognized_key"]);
    expect(kinds({ messages: [{ ...user, tool_calls: [call("a")] }, answer] })).toEqual(["message_unrecognized_key"]);
    expect(kinds({ messages: [user, { ...answer, tool_call_id: "a" }] })).toEqual(["message_unrecognized_key"]);
  });

  it("unrecognized_role: roles outside system, developer, user, assistant, tool", () => {
    for (const role of ["bot", "", 3, null]) expect(kinds({ messages: [{ role, content: "x" }, answer] })).toEqual(["unrecognized_role"]);
  });

  it("missing_content: empty, null, or non-text content where text is needed", () => {
    const cases: [unknown, string][] = [
      ["", "empty"],
      [null, "null"],
      [42, "a number"],
      [[], "not a list of text parts"],
      [[{ type: "audio" }], "not a list of text parts"],
    ];
    for (const [content, what] of cases) {
      expect(checkExample({ messages: [{ role: "user", content }, answer] })).toEqual([
        { kind: "missing_content", path: "messages[0].content", message: `messages[0] (user).content is ${what}; it must be non-empty text` },
      ]);
    }
    expect(kinds({ messages: [user, { role: "assistant", content: "" }] })).toEqual(["missing_content"]);
    expect(kinds({ messages: [user, { role: "assistant", content: 5, tool_calls: [call("a")] }] })).toEqual(["missing_content"]);
    // Images come only from the user.
    expect(kinds({ messages: [user, { role: "assistant", content: [{ type: "image_url", image_url: { url: "u" } }] }] })).toEqual(["missing_content"]);
  });

  it("example_missing_assistant_message: no assistant turn, or only weight-0 ones", () => {
    expect(kinds({ messages: [user] })).toEqual(["example_missing_assistant_message"]);
    expect(checkExample({ messages: [user, { ...answer, weight: 0 }] })).toEqual([
      { kind: "example_missing_assistant_message", path: "messages", message: "every assistant message has weight 0: there is nothing to train on" },
    ]);
  });
});

describe("checkExample: tools, tool calls and the rest", () => {
  it("example_unrecognized_key: keys beside messages, tools, parallel_tool_calls", () => {
    expect(kinds({ messages: [user, answer], metadata: {} })).toEqual(["example_unrecognized_key"]);
  });

  it("invalid_value: weight, name, parallel_tool_calls, tool_call_id of the wrong type", () => {
    expect(kinds({ messages: [user, { ...answer, weight: 2 }] })).toEqual(["invalid_value"]);
    expect(kinds({ messages: [{ ...user, name: 5 }, answer] })).toEqual(["invalid_value"]);
    expect(kinds({ messages: [user, answer], parallel_tool_calls: "no" })).toEqual(["invalid_value"]);
    expect(kinds({ messages: [user, { role: "assistant", tool_calls: [call("a")] }, { role: "tool", tool_call_id: 1, content: "x" }, answer] })).toEqual([
      "invalid_value",
    ]);
  });

  it("invalid_tools: not a list, empty, wrong shape, bad or duplicate names, unknown keys", () => {
    const base = { messages: [user, answer] };
    expect(kinds({ ...base, tools: {} })).toEqual(["invalid_tools"]);
    expect(kinds({ ...base, tools: [] })).toEqual(["invalid_tools"]);
    expect(kinds({ ...base, tools: [{ type: "retrieval" }] })).toEqual(["invalid_tools"]);
    expect(kinds({ ...base, tools: [{ type: "function", function: { name: "has space" } }] })).toEqual(["invalid_tools"]);
    expect(kinds({ ...base, tools: [ALBUM_TOOL, ALBUM_TOOL] })).toEqual(["invalid_tools"]);
    expect(kinds({ ...base, tools: [{ ...ALBUM_TOOL, extra: 1 }] })).toEqual(["invalid_tools"]);
    expect(kinds({ ...base, tools: [{ type: "function", function: { name: "f", parameters: "{}" } }] })).toEqual(["invalid_tools"]);
  });

  it("invalid_tool_call: empty or malformed calls, missing or reused ids, several calls when parallel_tool_calls is false", () => {
    const with_ = (tool_calls: unknown, extra = {}) => kinds({ messages: [user, { role: "assistant", tool_calls }], ...extra });
    expect(with_([])).toEqual(["invalid_tool_call"]);
    expect(with_([{ type: "function", function: { name: "f", arguments: "{}" } }])).toEqual(["invalid_tool_call"]);
    expect(with_([{ id: "a", function: { name: "f", arguments: "{}" } }])).toEqual(["invalid_tool_call"]);
    expect(with_([call("a"), call("a")])).toEqual(["invalid_tool_call"]);
    expect(with_([call("a"), call("b")], { parallel_tool_calls: false })).toEqual(["invalid_tool_call"]);
  });

  it("invalid_arguments: an object instead of JSON text, text that is not JSON, JSON that is not an object", () => {
    const args = (a: unknown) => checkExample({ messages: [user, { role: "assistant", tool_calls: [{ id: "a", type: "function", function: { name: "f", arguments: a } }] }] });
    expect(args({ movie: "Heat" })).toEqual([
      {
        kind: "invalid_arguments",
        path: "messages[1].tool_calls[0].function.arguments",
        message: "messages[1].tool_calls[0].function.arguments must be a string of JSON (e.g. JSON.stringify({...})), not an object",
      },
    ]);
    expect(args("{movie: Heat}").map((e) => e.message)).toEqual(["messages[1].tool_calls[0].function.arguments is not valid JSON"]);
    expect(args("[1]").map((e) => e.kind)).toEqual(["invalid_arguments"]);
    expect(args(undefined).map((e) => e.kind)).toEqual(["invalid_arguments"]);
  });

  it("unknown_tool: a call to a function the example's tools do not declare", () => {
    const example = { messages: [user, { role: "assistant", tool_calls: [call("a", "lyrics")] }], tools: [ALBUM_TOOL] };
    expect(checkExample(example)).toEqual([
      {
        kind: "unknown_tool",
        path: "messages[1].tool_calls[0].function.name",
        message: 'messages[1].tool_calls[0] calls "lyrics", which is not among the example\'s tools ("album")',
      },
    ]);
  });

  it("unmatched_tool_message: a tool result for a call that was never made (or only later)", () => {
    expect(kinds({ messages: [user, { role: "tool", tool_call_id: "a", content: "x" }, answer] })).toEqual(["unmatched_tool_message"]);
    expect(
      kinds({
        messages: [user, { role: "assistant", tool_calls: [call("a")] }, { role: "tool", tool_call_id: "b", content: "x" }, answer],
      }),
    ).toEqual(["unmatched_tool_message"]);
  });

  it("legacy_functions: functions, function_call and role function each say to use tools and tool_calls", () => {
    const legacy = checkExample({
      messages: [user, { role: "assistant", function_call: { name: "f", arguments: "{}" } }, { role: "function", name: "f", content: "x" }, answer],
      functions: [{ name: "f" }],
    });
    expect(legacy.map((e) => [e.kind, e.path])).toEqual([
      ["legacy_functions", "functions"],
      ["legacy_functions", "messages[1].function_call"],
      ["legacy_functions", "messages[2].role"],
    ]);
    for (const e of legacy) expect(e.message).toMatch(/deprecated .*"tools".*"tool_calls"/);
  });

  it("reports every problem of an example, each with a kind in the published list and a message", () => {
    const errors = checkExample({ messages: [{ role: "bot", content: "x" }, { role: "user", content: "" }], extra: 1 });
    expect(errors.map((e) => e.kind)).toEqual(["example_unrecognized_key", "unrecognized_role", "missing_content", "example_missing_assistant_message"]);
    for (const e of errors) {
      expect(FORMAT_ERROR_KINDS).toContain(e.kind satisfies FormatErrorKind);
      expect(e.message.length).toBeGreaterThan(10);
    }
  });
});
