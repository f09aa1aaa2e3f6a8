import { describe, expect, it } from "vitest";
import type { Bindings } from "../../src/env";
import { ApiError } from "../../src/errors";
import { type Plane, type ProviderEndpoint, resolveEndpoint } from "../../src/llm";
import type { Provider } from "../../src/llm";
import { testEnv } from "./helpers";

function endpointOf(changes: Partial<Bindings>, provider: Provider, plane?: Plane): ProviderEndpoint {
  return resolveEndpoint(testEnv(changes), provider, plane);
}

function configError(changes: Partial<Bindings>, provider: Provider): ApiError {
  try {
    endpointOf(changes, provider);
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    return err as ApiError;
  }
  throw new Error("expected a configuration error");
}

const noLocal = { LOCAL_OPENAI: undefined };

describe("resolveEndpoint precedence", () => {
  it.each([
    // [case, env changes, provider, expected baseURL, source, apiKey]
    ["base URL wins over key and local", { OPENAI_BASE_URL: "https://proxy.example/v1/", OPENAI_API_KEY: "sk-test-1" }, "openai", "https://proxy.example/v1", "override", "sk-test-1"],
    ["base URL alone uses a placeholder key", { TOGETHER_BASE_URL: "https://tg.example/v1" }, "together", "https://tg.example/v1", "override", "no-key-configured"],
    ["key alone goes to OpenAI", { OPENAI_API_KEY: "sk-test-2" }, "openai", "https://api.openai.com/v1", "provider", "sk-test-2"],
    ["key alone goes to Together", { TOGETHER_API_KEY: "tg-key" }, "together", "https://api.together.xyz/v1", "provider", "tg-key"],
    ["key alone goes to Fireworks inference", { FIREWORKS_API_KEY: "fw-key" }, "fireworks", "https://api.fireworks.ai/inference/v1", "provider", "fw-key"],
    ["Workers AI needs its account", { WORKERS_AI_API_KEY: "cf-key", CLOUDFLARE_ACCOUNT_ID: "acc1" }, "workers-ai", "https://api.cloudflare.com/client/v4/accounts/acc1/ai/v1", "provider", "cf-key"],
    ["nothing set falls back to the local service", {}, "openai", "http://local-openai/v1", "local", "no-key-configured"],
    ["Together's local route", {}, "together", "http://local-openai/together/v1", "local", "no-key-configured"],
    ["Fireworks' local inference route", {}, "fireworks", "http://local-openai/fireworks/inference/v1", "local", "no-key-configured"],
    ["empty strings count as unset", { OPENAI_API_KEY: "", OPENAI_BASE_URL: "  " }, "openai", "http://local-openai/v1", "local", "no-key-configured"],
  ] as const)("%s", (_case, changes, provider, baseURL, source, apiKey) => {
    const endpoint = endpointOf(changes, provider);
    expect(endpoint).toMatchObject({ provider, baseURL, source, apiKey });
    expect(typeof endpoint.fetch).toBe("function");
  });

  it("splits Fireworks into inference and control planes, for every source", () => {
    expect(endpointOf({ FIREWORKS_API_KEY: "fw", FIREWORKS_ACCOUNT_ID: "acme" }, "fireworks", "control")).toMatchObject({
      baseURL: "https://api.fireworks.ai",
      accountId: "acme",
    });
    expect(endpointOf({ FIREWORKS_BASE_URL: "https://fw.example/inference/v1" }, "fireworks", "control").baseURL).toBe("https://fw.example");
    expect(endpointOf({ FIREWORKS_BASE_URL: "https://fw.example" }, "fireworks").baseURL).toBe("https://fw.example/inference/v1");
    expect(endpointOf({}, "fireworks", "control")).toMatchObject({ baseURL: "http://local-openai/fireworks", accountId: "local" });
  });

  it("sends local calls through the LOCAL_OPENAI binding", async () => {
    const seen: string[] = [];
    const binding = { fetch: async (input: RequestInfo | URL) => (seen.push(String(input instanceof Request ? input.url : input)), new Response("{}")) };
    const endpoint = endpointOf({ LOCAL_OPENAI: binding as unknown as Fetcher }, "together");
    await endpoint.fetch("http://local-openai/together/v1/models", { method: "GET" });
    expect(seen).toEqual(["http://local-openai/together/v1/models"]);
  });

  it.each([
    ["openai", "OPENAI_API_KEY", "OPENAI_BASE_URL"],
    ["together", "TOGETHER_API_KEY", "TOGETHER_BASE_URL"],
    ["fireworks", "FIREWORKS_API_KEY", "FIREWORKS_BASE_URL"],
    ["workers-ai", "WORKERS_AI_API_KEY", "WORKERS_AI_BASE_URL"],
    ["openai-compatible", "OPENAI_COMPATIBLE_API_KEY", "OPENAI_COMPATIBLE_BASE_URL"],
  ] as const)("answers 400 naming %s's variable when nothing is configured and there is no local service", (provider, keyVar, urlVar) => {
    const err = configError(noLocal, provider);
    expect(err.code).toBe("bad_request");
    expect(err.status).toBe(400);
    expect(err.retryable).toBe(false);
    expect(err.message).toContain(`set ${keyVar}`);
    expect(err.message).toContain(urlVar);
    expect(err.details).toEqual({ provider, missing: [keyVar] });
  });

  it("answers 400 naming what a key still needs, instead of going local", () => {
    expect(configError({ WORKERS_AI_API_KEY: "cf-key" }, "workers-ai").message).toContain("set CLOUDFLARE_ACCOUNT_ID");
    expect(configError({ OPENAI_COMPATIBLE_API_KEY: "k" }, "openai-compatible").message).toContain("set OPENAI_COMPATIBLE_BASE_URL");
  });
});
