import { AuthenticationError, NotFoundError } from "openai";
import { describe, expect, it } from "vitest";
import { callEmulator, emulatorClient } from "../helpers/emulator";

describe("emulator: models and auth", () => {
  it("lists the catalogue models", async () => {
    const client = emulatorClient();
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        "gpt-4.1-2025-04-14",
        "gpt-4.1-mini-2025-04-14",
        "gpt-4.1-nano-2025-04-14",
        "gpt-4o-mini-2024-07-18",
        "gpt-4o-2024-08-06",
        "text-embedding-3-small",
        "text-embedding-3-large",
        "meta-llama/Llama-3.2-3B-Instruct",
        "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference",
        "accounts/fireworks/models/llama-v3p1-8b-instruct",
      ]),
    );
  });

  it("retrieves a model, including ids with slashes", async () => {
    const client = emulatorClient();
    const model = await client.models.retrieve("gpt-4o-mini-2024-07-18");
    expect(model).toMatchObject({ id: "gpt-4o-mini-2024-07-18", object: "model", owned_by: "system" });
    expect(typeof model.created).toBe("number");
    const llama = await client.models.retrieve("meta-llama/Llama-3.2-3B-Instruct");
    expect(llama.id).toBe("meta-llama/Llama-3.2-3B-Instruct");
  });

  it("answers 404 model_not_found for an unknown model", async () => {
    const err = await emulatorClient().models.retrieve("gpt-9-ultra").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).code).toBe("model_not_found");
    expect((err as NotFoundError).type).toBe("invalid_request_error");
  });

  it("exposes capabilities on the control plane", async () => {
    const res = await callEmulator("/_emulator/models");
    const { data } = (await res.json()) as { data: Array<{ id: string; tools: boolean; response_format: boolean; encoding: string; embedding_dimensions?: number }> };
    expect(data.find((m) => m.id === "meta-llama/Llama-3.2-3B-Instruct")).toMatchObject({ tools: false, response_format: false });
    expect(data.find((m) => m.id === "text-embedding-3-large")).toMatchObject({ embedding_dimensions: 3072, encoding: "cl100k_base" });
    expect(data.find((m) => m.id === "gpt-4.1-2025-04-14")).toMatchObject({ tools: true, response_format: true, encoding: "o200k_base" });
  });

  it("rejects a request without a bearer token with OpenAI's 401", async () => {
    const res = await callEmulator("/v1/models", { headers: { "X-Request-Id": "no-auth-1" } });
    expect(res.status).toBe(401);
    expect(res.headers.get("x-request-id")).toBe("no-auth-1");
    const body = (await res.json()) as { error: { message: string; type: string; param: unknown; code: unknown } };
    expect(body.error).toMatchObject({ type: "invalid_request_error", param: null });
    expect(body.error.message).toMatch(/API key/);
    const err = await emulatorClient(undefined, { Authorization: "Bearer " }).models.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
  });

  it("answers unknown /v1 paths with OpenAI's 404 shape and a request id", async () => {
    const res = await callEmulator("/v1/nope", { headers: { Authorization: "Bearer x" } });
    expect(res.status).toBe(404);
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe("Invalid URL (GET /v1/nope)");
  });
});
