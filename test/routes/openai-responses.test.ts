import type { ResponseInputItem, ResponseStreamEvent } from "openai/resources/responses/responses";
import { describe, expect, it } from "vitest";
import { api, createTenant } from "../helpers/api";
import { ALBUM_SCHEMA, CONTEXT, setPointer, STUDENT, TEACHER, tenantClient } from "../serving/helpers";

const QUESTION = `${CONTEXT}\nQuestion: When was Abbey Road released?`;

const ALBUM_TOOL = {
  type: "function" as const,
  name: "record_album",
  description: "Record an album's title and year",
  parameters: ALBUM_SCHEMA,
  strict: true,
};

describe("POST /openai/v1/responses through the openai SDK's responses.create", () => {
  it("answers plain text input with the tenant's active model, as a Response with usage", async () => {
    const t = await createTenant();
    await setPointer(t.id, STUDENT);
    const { client, settled } = tenantClient(t.key);
    const { data, response } = await client.responses.create({ input: QUESTION, instructions: "Answer from the context." }).withResponse();
    expect(data.object).toBe("response");
    expect(data.status).toBe("completed");
    expect(data.model).toBe(STUDENT);
    // The emulator answers deterministically: the same turn through chat completions says the same.
    const chat = await client.chat.completions.create({
      model: "distillery:active",
      messages: [
        { role: "system", content: "Answer from the context." },
        { role: "user", content: QUESTION },
      ],
    });
    expect(data.output_text).toBe(chat.choices[0]!.message.content);
    expect(data.output_text.length).toBeGreaterThan(0);
    expect(data.output[0]).toMatchObject({ type: "message", role: "assistant", status: "completed" });
    expect(data.instructions).toBe("Answer from the context.");
    expect(data.usage!.input_tokens).toBeGreaterThan(0);
    expect(data.usage!.total_tokens).toBe(data.usage!.input_tokens + data.usage!.output_tokens);
    expect(response.headers.get("Distillery-Model")).toBe(STUDENT);
    expect(response.headers.get("Distillery-Served-By")).toBe("student");
    await settled();
    const usage = await api("/api/usage", { key: t.key });
    expect(usage.body.data.map((r: { model: string }) => r.model)).toContain(STUDENT);
  });

  it("streams text deltas in the Responses event shapes, numbered, ending with response.completed and usage", async () => {
    const t = await createTenant();
    await setPointer(t.id, STUDENT);
    const { data: stream, response } = await tenantClient(t.key).client.responses.create({ input: QUESTION, stream: true }).withResponse();
    expect(response.headers.get("Content-Type")).toContain("text/event-stream");
    expect(response.headers.get("Distillery-Model")).toBe(STUDENT);
    const events: ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    expect(events[0]!.type).toBe("response.created");
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const deltas = events.filter((e) => e.type === "response.output_text.delta");
    expect(deltas.length).toBeGreaterThan(1);
    const text = deltas.map((e) => e.delta).join("");
    expect(text).toContain("1969");
    const done = events.find((e) => e.type === "response.output_text.done");
    expect(done && "text" in done && done.text).toBe(text);
    const last = events.at(-1)!;
    expect(last.type).toBe("response.completed");
    if (last.type !== "response.completed") throw new Error("unreachable");
    expect(last.response.model).toBe(STUDENT);
    expect(last.response.usage!.output_tokens).toBeGreaterThan(0);
  });

  it("streams events the SDK's own accumulator (responses.stream) assembles into the final Response", async () => {
    const t = await createTenant();
    await setPointer(t.id, STUDENT);
    const stream = tenantClient(t.key).client.responses.stream({ input: QUESTION, model: "distillery:active" });
    const final = await stream.finalResponse();
    expect(final.status).toBe("completed");
    expect(final.output_text).toContain("1969");
  });

  it("calls a function tool, and answers once the call's output is fed back", async () => {
    const t = await createTenant();
    await setPointer(t.id, STUDENT);
    const { client } = tenantClient(t.key);
    const first = await client.responses.create({ input: QUESTION, tools: [ALBUM_TOOL], tool_choice: { type: "function", name: "record_album" } });
    const call = first.output.find((o) => o.type === "function_call");
    if (call?.type !== "function_call") throw new Error(`no function call in ${JSON.stringify(first.output)}`);
    expect(call.name).toBe("record_album");
    expect(call.call_id).toBeTruthy();
    // The student's own arguments (a base student may drop a field), exactly as chat completions gives them.
    const chat = await client.chat.completions.create({
      model: "distillery:active",
      messages: [{ role: "user", content: QUESTION }],
      tools: [{ type: "function", function: { name: ALBUM_TOOL.name, description: ALBUM_TOOL.description, parameters: ALBUM_SCHEMA, strict: true } }],
      tool_choice: { type: "function", function: { name: "record_album" } },
    });
    const chatCall = chat.choices[0]!.message.tool_calls![0]!;
    expect(chatCall.type === "function" && chatCall.function.arguments).toBe(call.arguments);
    expect(JSON.parse(call.arguments)).toHaveProperty("year", 1969);

    const input: ResponseInputItem[] = [
      { role: "user", content: QUESTION },
      call,
      { type: "function_call_output", call_id: call.call_id, output: JSON.stringify({ saved: true }) },
    ];
    const second = await client.responses.create({ input, tools: [ALBUM_TOOL] });
    expect(second.status).toBe("completed");
    expect(second.output.map((o) => o.type)).toEqual(["message"]);
    expect(second.output_text.length).toBeGreaterThan(0);
  });

  it("streams a function call's arguments as function_call_arguments deltas", async () => {
    const t = await createTenant();
    await setPointer(t.id, STUDENT);
    const stream = await tenantClient(t.key).client.responses.create({
      input: QUESTION,
      tools: [ALBUM_TOOL],
      tool_choice: { type: "function", name: "record_album" },
      stream: true,
    });
    const events: ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const added = events.find((e) => e.type === "response.output_item.added");
    expect(added && "item" in added && added.item.type).toBe("function_call");
    const args = events.flatMap((e) => (e.type === "response.function_call_arguments.delta" ? [e.delta] : [])).join("");
    const done = events.find((e) => e.type === "response.function_call_arguments.done");
    expect(done && "arguments" in done && done.arguments).toBe(args);
    expect(JSON.parse(args)).toHaveProperty("year");
    expect(events.at(-1)!.type).toBe("response.completed");
  });

  it("answers a json_schema text format with the active model's JSON for that schema", async () => {
    const t = await createTenant();
    await setPointer(t.id, STUDENT);
    const { client } = tenantClient(t.key);
    const res = await client.responses.create({
      input: QUESTION,
      text: { format: { type: "json_schema", name: "album", schema: ALBUM_SCHEMA, strict: true } },
    });
    expect(res.model).toBe(STUDENT);
    expect(res.text?.format).toMatchObject({ type: "json_schema", name: "album" });
    const chat = await client.chat.completions.create({
      model: "distillery:active",
      messages: [{ role: "user", content: QUESTION }],
      response_format: { type: "json_schema", json_schema: { name: "album", schema: ALBUM_SCHEMA, strict: true } },
    });
    expect(res.output_text).toBe(chat.choices[0]!.message.content);
    expect(JSON.parse(res.output_text)).toHaveProperty("title");
  });

  it("answers a json_schema text format with JSON that fits the schema when the teacher serves", async () => {
    const t = await createTenant();
    const res = await tenantClient(t.key).client.responses.create({
      input: QUESTION,
      text: { format: { type: "json_schema", name: "album", schema: ALBUM_SCHEMA, strict: true } },
    });
    expect(res.model).toBe(TEACHER);
    expect(JSON.parse(res.output_text)).toEqual({ title: expect.any(String), year: 1969 });
  });

  it("is answered by the teacher for a tenant that never promoted a model", async () => {
    const t = await createTenant();
    const { data, response } = await tenantClient(t.key).client.responses.create({ input: "Hello?" }).withResponse();
    expect(data.model).toBe(TEACHER);
    expect(response.headers.get("Distillery-Served-By")).toBe("teacher");
  });
});

describe("POST /openai/v1/responses: what it refuses, in OpenAI's error shape", () => {
  it("refuses previous_response_id with a 400 saying responses are not stored", async () => {
    const t = await createTenant();
    const res = await api("/openai/v1/responses", { method: "POST", key: t.key, json: { input: "Hi", previous_response_id: "resp_abc" } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: "invalid_request_error", param: "previous_response_id" });
    expect(res.body.error.message).toMatch(/does not store responses/);
  });

  it.each([
    [{ tools: [{ type: "web_search" }] }, "tools[0].type"],
    [{ store: true }, "store"],
    [{ background: true }, "background"],
    [{ include: ["reasoning.encrypted_content"] }, "include"],
    [{ input: [{ type: "reasoning", id: "rs_1", summary: [] }] }, "input[0].type"],
  ])("refuses %j with a 400 naming %s", async (extra, param) => {
    const t = await createTenant();
    const res = await api("/openai/v1/responses", { method: "POST", key: t.key, json: { input: "Hi", ...extra } });
    expect(res.status).toBe(400);
    expect(res.body.error.param).toBe(param);
  });

  it("names text.format, not chat's response_format, when the model takes no structured output", async () => {
    const t = await createTenant();
    const res = await api("/openai/v1/responses", {
      method: "POST",
      key: t.key,
      json: { model: "meta-llama/Llama-3.2-3B-Instruct", input: "Hi", text: { format: { type: "json_object" } } },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.param).toBe("text.format");
    expect(res.body.error.message).toContain("'text.format'");
  });

  it("refuses a body without input (validation, OpenAI's shape)", async () => {
    const t = await createTenant();
    const res = await api("/openai/v1/responses", { method: "POST", key: t.key, json: { model: "distillery:active" } });
    expect(res.status).toBe(400);
    expect(res.body.error.param).toBe("input");
  });
});
