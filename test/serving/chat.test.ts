import { describe, expect, it } from "vitest";
import { api, createTenant } from "../helpers/api";
import { ALBUM_SCHEMA, CONTEXT, setPointer, STUDENT, TEACHER, tenantClient } from "./helpers";

describe("/openai/v1/chat/completions through the openai SDK", () => {
  it("answers a plain chat with the tenant's active model and names it in the headers", async () => {
    const t = await createTenant();
    await setPointer(t.id, STUDENT);
    const { client, settled } = tenantClient(t.key);
    const { data, response } = await client.chat.completions
      .create({ model: "distillery:active", messages: [{ role: "user", content: `${CONTEXT}\nQuestion: When was Abbey Road released?` }] })
      .withResponse();
    expect(data.choices[0]!.message.content).toContain("1969");
    expect(response.headers.get("Distillery-Model")).toBe(STUDENT);
    expect(response.headers.get("Distillery-Served-By")).toBe("student");
    expect(response.headers.get("X-Request-Id")).toBeTruthy();
    await settled();
    const usage = await api("/api/usage", { key: t.key });
    expect(usage.body.data.map((r: { model: string }) => r.model)).toContain(STUDENT);
  });

  it("serves another tenant its own model: the teacher when it has no pointer", async () => {
    const a = await createTenant();
    const b = await createTenant();
    await setPointer(a.id, STUDENT);
    const res = await tenantClient(b.key).client.chat.completions.create({ model: "distillery:active", messages: [{ role: "user", content: "Hello?" }] }).withResponse();
    expect(res.response.headers.get("Distillery-Model")).toBe(TEACHER);
    expect(res.response.headers.get("Distillery-Served-By")).toBe("teacher");
  });

  it("streams chunk by chunk, and drops the usage chunk the client did not ask for", async () => {
    const t = await createTenant();
    await setPointer(t.id, STUDENT);
    const { client, settled } = tenantClient(t.key);
    const { data: stream, response } = await client.chat.completions
      .create({ model: "distillery:active", stream: true, messages: [{ role: "user", content: `${CONTEXT}\nQuestion: When was Abbey Road released?` }] })
      .withResponse();
    expect(response.headers.get("Distillery-Model")).toBe(STUDENT);
    let text = "";
    let chunks = 0;
    let usageChunks = 0;
    for await (const chunk of stream) {
      chunks++;
      if (chunk.usage) usageChunks++;
      text += chunk.choices[0]?.delta?.content ?? "";
    }
    expect(chunks).toBeGreaterThan(2);
    expect(text).toContain("1969");
    expect(usageChunks).toBe(0);
    await settled();
    const usage = await api("/api/usage", { key: t.key });
    const row = usage.body.data.find((r: { model: string }) => r.model === STUDENT);
    expect(row.prompt_tokens).toBeGreaterThan(0);
  });

  it("keeps the usage chunk when the client asks for it", async () => {
    const t = await createTenant();
    const stream = await tenantClient(t.key).client.chat.completions.create({
      model: "distillery:active",
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: "Say hello?" }],
    });
    let usage: unknown = null;
    for await (const chunk of stream) if (chunk.usage) usage = chunk.usage;
    expect(usage).toMatchObject({ prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) });
  });

  it("passes a forced tool call through to the active model", async () => {
    const t = await createTenant();
    await setPointer(t.id, STUDENT);
    const { data, response } = await tenantClient(t.key)
      .client.chat.completions.create({
        model: "distillery:active",
        messages: [{ role: "user", content: `${CONTEXT}\nQuestion: Which album is this about?` }],
        tools: [{ type: "function", function: { name: "record_album", description: "Record the album", parameters: ALBUM_SCHEMA } }],
        tool_choice: { type: "function", function: { name: "record_album" } },
      })
      .withResponse();
    expect(response.headers.get("Distillery-Model")).toBe(STUDENT);
    expect(data.choices[0]!.message.tool_calls?.[0]).toMatchObject({ type: "function", function: { name: "record_album" } });
  });

  it("passes a json_schema response format through to the active model", async () => {
    const t = await createTenant();
    await setPointer(t.id, STUDENT);
    const { data, response } = await tenantClient(t.key)
      .client.chat.completions.create({
        model: "distillery:active",
        messages: [{ role: "user", content: `${CONTEXT}\nQuestion: Which album is this about?` }],
        response_format: { type: "json_schema", json_schema: { name: "album", schema: ALBUM_SCHEMA, strict: true } },
        temperature: 0,
        seed: 7,
        max_completion_tokens: 200,
      })
      .withResponse();
    expect(response.headers.get("Distillery-Model")).toBe(STUDENT);
    expect(data.choices[0]!.message.content).toMatch(/^\{/);
  });
});
