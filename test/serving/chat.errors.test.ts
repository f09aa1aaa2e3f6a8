import { describe, expect, it } from "vitest";
import { api, createTenant } from "../helpers/api";
import { configureRun } from "../helpers/emulator";
import { CONTEXT, setPointer, STUDENT, TEACHER, tenantClient } from "./helpers";

const PATH = "/openai/v1/chat/completions";
const hello = [{ role: "user", content: "Hello?" }];

async function usageRows(key: string) {
  return (await api("/api/usage", { key })).body.data as unknown[];
}

describe("/openai/v1/chat/completions: models and bad input", () => {
  it("serves the active model when `model` is omitted, and an explicit catalog model by its id", async () => {
    const t = await createTenant();
    await setPointer(t.id, STUDENT);
    const omitted = await api(PATH, { method: "POST", key: t.key, json: { messages: hello } });
    expect(omitted.status).toBe(200);
    expect(omitted.headers.get("Distillery-Model")).toBe(STUDENT);
    const teacher = await api(PATH, { method: "POST", key: t.key, json: { model: "distillery:teacher", messages: hello } });
    expect(teacher.headers.get("Distillery-Served-By")).toBe("teacher");
    const explicit = await api(PATH, { method: "POST", key: t.key, json: { model: "meta-llama/Llama-3.2-3B-Instruct", messages: hello } });
    expect(explicit.status).toBe(200);
    expect(explicit.headers.get("Distillery-Model")).toBe("meta-llama/Llama-3.2-3B-Instruct");
  });

  it("answers 404 model_not_found for an unknown model or a fine-tune the tenant does not own", async () => {
    const t = await createTenant();
    for (const model of ["no-such-model", "ft:gpt-4o-mini-2024-07-18:someone-else:x:abc123"]) {
      const res = await api(PATH, { method: "POST", key: t.key, json: { model, messages: hello } });
      expect(res.status).toBe(404);
      expect(res.body.error).toMatchObject({ code: "model_not_found", type: "invalid_request_error", param: "model" });
    }
    const sdk = await tenantClient(t.key).client.chat.completions.create({ model: "no-such-model", messages: [{ role: "user", content: "Hi" }] }).catch((e: unknown) => e);
    expect(sdk).toMatchObject({ status: 404, code: "model_not_found" });
    expect(await usageRows(t.key)).toEqual([]);
  });

  it("refuses an embedding model for chat, bad JSON and missing messages, in OpenAI's error shape", async () => {
    const t = await createTenant();
    const embedding = await api(PATH, { method: "POST", key: t.key, json: { model: "text-embedding-3-small", messages: hello } });
    expect(embedding.status).toBe(400);
    const badJson = await api(PATH, { method: "POST", key: t.key, body: "{not json", headers: { "Content-Type": "application/json" } });
    expect(badJson.status).toBe(400);
    expect(badJson.body.error).toMatchObject({ type: "invalid_request_error" });
    const missing = await api(PATH, { method: "POST", key: t.key, json: { model: TEACHER } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/messages/);
    expect(await usageRows(t.key)).toEqual([]);
  });

  it("refuses a parameter the model does not support, naming it, never dropping it", async () => {
    const t = await createTenant();
    const tools = [{ type: "function", function: { name: "f", parameters: { type: "object", properties: {} } } }];
    const res = await api(PATH, { method: "POST", key: t.key, json: { model: "meta-llama/Llama-3.2-3B-Instruct", messages: hello, tools } });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ param: "tools" });
    expect(res.body.error.message).toContain("'tools'");
    const unknown = await api(PATH, { method: "POST", key: t.key, json: { model: TEACHER, messages: hello, frobnicate: 1 } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain("frobnicate");
    expect(await usageRows(t.key)).toEqual([]);
  });

  it("passes an upstream 400 back with its message, and a 429 with Retry-After", async () => {
    const t = await createTenant();
    const tooLong = await api(PATH, { method: "POST", key: t.key, json: { model: TEACHER, messages: hello, max_tokens: 10_000_000 } });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.message).toMatch(/max_tokens|maximum/i);
    const run = `serve-429-${Date.now().toString(36)}`;
    await configureRun(run, { faults: { seed: 1, rate_429: 1 } });
    const limited = await api(PATH, { method: "POST", key: t.key, json: { model: TEACHER, messages: [{ role: "user", content: `${CONTEXT} Hi?` }] }, headers: { "X-Request-Id": `${run}:1` } });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("Retry-After")).toBe("1");
    expect(limited.body.error.type).toBe("rate_limit_error");
    expect(await usageRows(t.key)).toEqual([]);
  });

  it("answers 401 in OpenAI's shape without a key", async () => {
    const res = await api(PATH, { method: "POST", json: { messages: hello } });
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ type: "authentication_error" });
  });
});
