import { describe, expect, it } from "vitest";
import { ApiError } from "../../src/errors";
import { callProvider, createClient, isRetryable, mapProviderError, retryAfterMs, retryDelayMs } from "../../src/llm";
import type { FetchLike } from "../../src/llm";
import { errorBody, json, testEnv } from "./helpers";

const KEY = "sk-proj-SECRETKEY0123456789";

/** The ApiError a chat call ends in when the provider answers through `fetch`. */
async function failWith(fetch: FetchLike): Promise<ApiError> {
  const client = createClient(testEnv({ OPENAI_API_KEY: KEY }), "openai", { requestId: "r", wrapFetch: () => fetch });
  try {
    await callProvider("openai", () => client.chat.completions.create({ model: "gpt-4.1-2025-04-14", messages: [] }));
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    return err as ApiError;
  }
  throw new Error("expected the call to fail");
}

const answer = (status: number, body: unknown, headers: Record<string, string> = {}): FetchLike => async () => json(body, status, headers);

describe("mapProviderError", () => {
  it("maps 429 to rate_limited, retryable, keeping Retry-After", async () => {
    const err = await failWith(answer(429, errorBody("Rate limit reached", "requests"), { "retry-after": "7" }));
    expect(err).toMatchObject({ code: "rate_limited", status: 429, retryable: true, retryAfterMs: 7000 });
    expect(err.headers["Retry-After"]).toBe("7");
    expect(err.message).toContain("Rate limit reached");
  });

  it("prefers retry-after-ms when the provider sends it", async () => {
    const err = await failWith(answer(429, errorBody("slow down"), { "retry-after-ms": "1500", "retry-after": "9" }));
    expect(err.retryAfterMs).toBe(1500);
  });

  it("maps a 500 to upstream_error, retryable", async () => {
    const err = await failWith(answer(500, errorBody("The server had an error", "server_error")));
    expect(err).toMatchObject({ code: "upstream_error", status: 502, retryable: true, details: { provider: "openai", upstream_status: 500 } });
  });

  it.each([503, 529])("maps a %i to upstream_unavailable, retryable", async (status) => {
    const err = await failWith(answer(status, errorBody("overloaded", "server_error")));
    expect(err).toMatchObject({ code: "upstream_unavailable", status: 503, retryable: true });
  });

  it.each([400, 422])("maps a %i to bad_request with the upstream message, final", async (status) => {
    const err = await failWith(answer(status, errorBody("'messages' must contain at least one message")));
    expect(err).toMatchObject({ code: "bad_request", status: 400, retryable: false });
    expect(err.message).toContain("'messages' must contain at least one message");
  });

  it("maps a 404 to bad_request naming what was not found, final", async () => {
    const err = await failWith(answer(404, errorBody("The model `gpt-9` does not exist", "invalid_request_error", "model_not_found")));
    expect(err).toMatchObject({ code: "bad_request", retryable: false });
    expect(err.message).toBe("Model or resource not found upstream: The model `gpt-9` does not exist");
  });

  it.each([401, 403])("maps a %i to a 502 about the deployment's credentials, never quoting the provider", async (status) => {
    const err = await failWith(answer(status, errorBody(`Incorrect API key provided: ${KEY}.`, "invalid_request_error", "invalid_api_key")));
    expect(err).toMatchObject({ code: "upstream_error", status: 502, retryable: false });
    expect(err.message).toBe("The provider rejected the deployment's credentials for openai.");
    expect(JSON.stringify({ m: err.message, d: err.details, h: err.headers })).not.toContain("SECRETKEY");
    expect(err.cause).toBeUndefined();
  });

  it("maps a 409 to conflict", async () => {
    const err = await failWith(answer(409, errorBody("Job already cancelled")));
    expect(err).toMatchObject({ code: "conflict", status: 409, retryable: false });
  });

  it("maps a fetch that throws to upstream_unavailable, retryable", async () => {
    const err = await failWith(async () => {
      throw new TypeError("Network connection lost.");
    });
    expect(err).toMatchObject({ code: "upstream_unavailable", status: 503, retryable: true });
  });

  it("maps a timeout to upstream_timeout, retryable", async () => {
    // What the SDK sees when its own timer aborts the request.
    const err = await failWith(async () => {
      throw new DOMException("The operation was aborted.", "AbortError");
    });
    expect(err).toMatchObject({ code: "upstream_timeout", status: 504, retryable: true });
  });

  it("redacts key-shaped strings from upstream messages it does keep", async () => {
    const err = await failWith(answer(400, errorBody(`bad header near ${KEY}`)));
    expect(err.message).not.toContain("SECRETKEY");
    expect(err.message).toContain("[redacted]");
  });

  it("passes an ApiError through and maps anything else to internal, final unless the runtime marked it transient", () => {
    const own = new ApiError("conflict", "x");
    expect(mapProviderError(own, "openai")).toBe(own);
    expect(mapProviderError(new Error("weird"), "together")).toMatchObject({ code: "internal", retryable: false, details: { provider: "together" } });
    // What encodeURIComponent throws on a lone surrogate: our fault, not the provider's, and not transient.
    expect(mapProviderError(new URIError("URI malformed"), "together")).toMatchObject({ code: "internal", retryable: false });
    const transient = Object.assign(new Error("Durable Object reset"), { retryable: true });
    expect(mapProviderError(transient, "together")).toMatchObject({ retryable: true });
  });
});

describe("retries", () => {
  it("isRetryable follows the mapped error", () => {
    expect(isRetryable(new ApiError("rate_limited", "x"))).toBe(true);
    expect(isRetryable(new ApiError("bad_request", "x"))).toBe(false);
  });

  it("retryDelayMs honours Retry-After", () => {
    expect(retryDelayMs(new ApiError("rate_limited", "x", { retryAfterMs: 12_000 }), 5)).toBe(12_000);
    expect(retryDelayMs(new ApiError("rate_limited", "x", { retryAfterMs: 10 * 24 * 3600 * 1000 }), 1)).toBe(24 * 3600 * 1000);
  });

  it("retryDelayMs backs off exponentially with full jitter, capped", () => {
    const err = new ApiError("upstream_unavailable", "x");
    const top = { random: () => 0.999999 };
    expect(retryDelayMs(err, 1, top)).toBe(999);
    expect(retryDelayMs(err, 2, top)).toBe(1999);
    expect(retryDelayMs(err, 4, top)).toBe(7999);
    expect(retryDelayMs(err, 40, top)).toBe(299_999);
    expect(retryDelayMs(err, 3, { random: () => 0 })).toBe(0);
    expect(retryDelayMs(err, 3, { random: () => 0.5, baseMs: 100, capMs: 300 })).toBe(150);
  });

  it("reads Retry-After as seconds or an HTTP date", () => {
    const now = Date.parse("2026-11-01T00:00:00Z");
    expect(retryAfterMs(new Headers({ "retry-after": "Sun, 01 Nov 2026 00:00:30 GMT" }), now)).toBe(30_000);
    expect(retryAfterMs(new Headers({ "retry-after": "0.5" }), now)).toBe(500);
    expect(retryAfterMs(new Headers({ "retry-after": "soon" }), now)).toBeUndefined();
    expect(retryAfterMs(new Headers(), now)).toBeUndefined();
  });
});
