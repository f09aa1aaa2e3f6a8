import { describe, expect, it } from "vitest";
import { callOptions, clientForModel, createClient, DEFAULT_TIMEOUT_MS, sharedClient, sharedClientForModel } from "../../src/llm";
import { chatCompletion, errorBody, json, recordingFetch, testEnv } from "./helpers";

describe("createClient", () => {
  it("sends X-Request-Id and the configured key to the resolved base URL", async () => {
    const { fetch, calls } = recordingFetch(() => json(chatCompletion("hi")));
    const client = createClient(testEnv({ OPENAI_BASE_URL: "https://proxy.example/v1", OPENAI_API_KEY: "sk-test-abcdef" }), "openai", {
      requestId: "req_123",
      wrapFetch: () => fetch,
    });
    const res = await client.chat.completions.create({ model: "gpt-4.1-2025-04-14", messages: [{ role: "user", content: "hello" }] });
    expect(res.choices[0]?.message.content).toBe("hi");
    expect(calls).toHaveLength(1);
    const req = calls[0]!;
    expect(req.url).toBe("https://proxy.example/v1/chat/completions");
    expect(req.headers.get("x-request-id")).toBe("req_123");
    expect(req.headers.get("authorization")).toBe("Bearer sk-test-abcdef");
  });

  it("does not retry inside the request: one call on a 500, retrying is the queues' job", async () => {
    const { fetch, calls } = recordingFetch(() => json(errorBody("boom", "server_error"), 500));
    const client = createClient(testEnv({ OPENAI_API_KEY: "sk-test-abcdef" }), "openai", { requestId: "r", wrapFetch: () => fetch });
    expect(client.maxRetries).toBe(0);
    await expect(client.chat.completions.create({ model: "m", messages: [] })).rejects.toMatchObject({ status: 500 });
    expect(calls).toHaveLength(1);
  });

  it("uses a 60 s timeout unless told otherwise", () => {
    const env = testEnv();
    expect(createClient(env, "openai", { requestId: "r" }).timeout).toBe(DEFAULT_TIMEOUT_MS);
    expect(DEFAULT_TIMEOUT_MS).toBe(60_000);
    expect(createClient(env, "openai", { requestId: "r", timeoutMs: 5_000 }).timeout).toBe(5_000);
  });

  it("throws the configuration error before any call when the provider is not configured", () => {
    expect(() => createClient(testEnv({ LOCAL_OPENAI: undefined }), "together", { requestId: "r" })).toThrow(/set TOGETHER_API_KEY/);
  });
});

describe("clientForModel", () => {
  it("picks the model's provider and returns its entry with the upstream name", async () => {
    const seen: string[] = [];
    const binding = {
      fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
        const req = new Request(input, init);
        seen.push(`${req.url} ${(await req.json() as { model: string }).model} ${req.headers.get("x-request-id")}`);
        return json(chatCompletion());
      },
    };
    const env = testEnv({ LOCAL_OPENAI: binding as unknown as Fetcher });
    const { client, model } = clientForModel(env, "meta-llama/Llama-3.2-3B-Instruct", { requestId: "req_9" });
    expect(model).toMatchObject({ provider: "together", supports_tools: false });
    await client.chat.completions.create({ model: model.model, messages: [{ role: "user", content: "x" }] });
    expect(seen).toEqual(["http://local-openai/together/v1/chat/completions meta-llama/Llama-3.2-3B-Instruct req_9"]);
  });

  it("answers bad_request for an unknown model", () => {
    expect(() => clientForModel(testEnv(), "nope", { requestId: "r" })).toThrow(/Unknown model "nope"/);
  });
});

describe("sharedClient", () => {
  it("is made once per env and provider, and sends each call's own X-Request-Id", async () => {
    const seen: string[] = [];
    const binding = {
      fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
        const req = new Request(input, init);
        seen.push(`${new URL(req.url).pathname} ${req.headers.get("x-request-id")}`);
        return json(chatCompletion());
      },
    };
    const env = testEnv({ LOCAL_OPENAI: binding as unknown as Fetcher });
    const a = sharedClientForModel(env, "meta-llama/Llama-3.2-3B-Instruct", { requestId: "req_a" });
    const b = sharedClientForModel(env, "meta-llama/Llama-3.2-3B-Instruct", { requestId: "req_b" });
    expect(b.client).toBe(a.client);
    expect(sharedClient(env, "openai")).not.toBe(a.client);
    // Another env (other endpoints, other credentials) never shares a client.
    expect(sharedClient(testEnv({ LOCAL_OPENAI: binding as unknown as Fetcher }), "together")).not.toBe(a.client);
    await Promise.all([
      a.client.chat.completions.create({ model: a.model.model, messages: [{ role: "user", content: "x" }] }, a.options),
      b.client.chat.completions.create({ model: b.model.model, messages: [{ role: "user", content: "y" }] }, b.options),
    ]);
    expect(seen.sort()).toEqual(["/together/v1/chat/completions req_a", "/together/v1/chat/completions req_b"]);
    expect(a.client.maxRetries).toBe(0);
    expect(callOptions("r", 5_000)).toEqual({ headers: { "X-Request-Id": "r" }, timeout: 5_000 });
  });
});
