import { describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { ApiError } from "../src/errors";
import { api, bindings, createTenant } from "./helpers/api";
import { capture, watchConsole } from "./helpers/secrets";

/** The real app plus two routes that throw, to see how thrown errors render. */
function appWithThrowingRoutes() {
  const app = createApp();
  app.get("/api/test/api-error", () => {
    throw new ApiError("conflict", "already there", { details: { id: "x" } });
  });
  app.get("/api/test/crash", () => {
    throw new Error("secret internals: db password hunter2");
  });
  app.get("/openai/v1/test/crash", () => {
    throw new ApiError("rate_limited", "slow down", { retryAfterMs: 2500 });
  });
  return app;
}

async function call(path: string, key: string) {
  const res = await appWithThrowingRoutes().request(path, { headers: { Authorization: `Bearer ${key}` } }, bindings);
  const text = await res.text();
  capture(`response ${path}`, text);
  return { res, body: JSON.parse(text) };
}

function expectErrorBody(body: any, code: string) {
  expect(body).toEqual({
    error: expect.objectContaining({ code, message: expect.any(String), request_id: expect.any(String) }),
  });
}

describe("error bodies", () => {
  it("renders a thrown ApiError with its code, details and request id", async () => {
    const t = await createTenant();
    const { res, body } = await call("/api/test/api-error", t.key);
    expect(res.status).toBe(409);
    expectErrorBody(body, "conflict");
    expect(body.error.details).toEqual({ id: "x" });
    expect(res.headers.get("X-Request-Id")).toBe(body.error.request_id);
  });

  it("hides an unexpected error's text behind a 500 `internal`", async () => {
    const t = await createTenant();
    const { res, body } = await call("/api/test/crash", t.key);
    expect(res.status).toBe(500);
    expectErrorBody(body, "internal");
    expect(JSON.stringify(body)).not.toContain("hunter2");
  });

  it("says what to do about an unexpected error, and logs its cause under the request id it names", async () => {
    const t = await createTenant();
    const log = watchConsole();
    const { body } = await call("/api/test/crash", t.key);
    const id = body.error.request_id as string;
    expect(body.error.message).toBe(
      `Failed on our side (Error); the cause is logged with request id ${id}. Try again, and report that id if it fails again.`,
    );
    const line = log().find((l) => l.text.includes(`"request_id":"${id}"`));
    expect(line?.level).toBe("error");
    expect(line?.text).toContain('"error":"Error: secret internals');
  });

  it("415s a body type the route does not take, naming the ones it does", async () => {
    const t = await createTenant();
    const res = await api("/api/documents", { method: "POST", key: t.key, body: "<doc/>", headers: { "Content-Type": "application/xml" } });
    expect(res.status).toBe(415);
    expectErrorBody(res.body, "unsupported_media_type");
    expect(res.body.error.message).toBe(
      "Content-Type application/xml is not accepted here: send one of application/json, multipart/form-data, text/plain, text/markdown, application/pdf.",
    );
    expect(res.body.error.details.accepted).toContain("application/pdf");
    const bare = await api("/api/keys", { method: "POST", key: t.key, body: new TextEncoder().encode('{"name":"x"}') });
    expect(bare.status).toBe(415);
    expect(bare.body.error.message).toBe("A body needs a Content-Type: send one of application/json.");
  });

  it("says a multipart upload without its file part is missing the file", async () => {
    const t = await createTenant();
    const form = new FormData();
    form.set("title", "no file");
    const res = await api("/api/documents", { method: "POST", key: t.key, body: form });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^Invalid request body: file is required/);
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: "file", message: "file is required" })]);
  });

  it("answers OpenAI's error shape under /openai/*, with Retry-After", async () => {
    const t = await createTenant();
    const { res, body } = await call("/openai/v1/test/crash", t.key);
    expect(res.status).toBe(429);
    expect(res.headers.get("Retry-After")).toBe("3");
    expect(body).toEqual({
      error: { message: "slow down", type: "rate_limit_error", param: null, code: "rate_limited" },
    });
  });

  it("answers OpenAI's shape for a missing key under /openai/*", async () => {
    const res = await api("/openai/v1/chat/completions", { method: "POST", json: {} });
    expect(res.status).toBe(401);
    expect(res.body.error).toEqual({
      message: expect.any(String),
      type: "authentication_error",
      param: null,
      code: "unauthorized",
    });
  });

  it("404s an unknown route", async () => {
    const res = await api("/nope");
    expect(res.status).toBe(404);
    expectErrorBody(res.body, "not_found");
  });

  it("405s a known path with the wrong method, naming the allowed ones", async () => {
    const res = await api("/health", { method: "DELETE" });
    expect(res.status).toBe(405);
    expectErrorBody(res.body, "method_not_allowed");
    expect(res.headers.get("Allow")).toBe("GET");
    const t = await createTenant();
    const withParam = await api("/api/keys/key_123", { method: "GET", key: t.key });
    expect(withParam.status).toBe(405);
    expect(withParam.headers.get("Allow")).toBe("DELETE");
  });

  it("400s malformed JSON", async () => {
    const t = await createTenant();
    const res = await api("/api/keys", {
      method: "POST",
      key: t.key,
      headers: { "Content-Type": "application/json" },
      body: "{not json",
    });
    expect(res.status).toBe(400);
    expectErrorBody(res.body, "invalid_json");
  });

  it("400s a body that fails validation, listing each issue with its path", async () => {
    const res = await api("/admin/tenants", { method: "POST", key: bindings.ADMIN_TOKEN, json: { name: 42 } });
    expect(res.status).toBe(400);
    expectErrorBody(res.body, "validation_failed");
    expect(res.body.error.details[0]).toMatchObject({ path: "name", message: "name must be a string (got a number)" });
    expect(res.body.error.message).toBe("Invalid request body: name must be a string (got a number)");
  });

  it("400s a query that fails validation", async () => {
    const res = await api("/admin/tenants?limit=0", { key: bindings.ADMIN_TOKEN });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0]).toMatchObject({ path: "limit" });
  });

  it("413s a body over the configured size, by Content-Length or streamed", async () => {
    const t = await createTenant();
    const max = Number(bindings.MAX_BODY_BYTES);
    const big = "x".repeat(max + 1);
    const declared = await api("/api/keys", { method: "POST", key: t.key, json: { name: big } });
    expect(declared.status).toBe(413);
    expectErrorBody(declared.body, "payload_too_large");
    const stream = new Blob([big]).stream();
    const streamed = await api("/api/keys", {
      method: "POST",
      key: t.key,
      headers: { "Content-Type": "application/json" },
      body: stream,
      // @ts-expect-error: workerd needs duplex for a streamed request body
      duplex: "half",
    });
    expect(streamed.status).toBe(413);
  });

  it("keeps the caller's X-Request-Id, or makes one", async () => {
    const mine = await api("/health", { headers: { "X-Request-Id": "run42:abc" } });
    expect(mine.headers.get("X-Request-Id")).toBe("run42:abc");
    const made = await api("/health", { headers: { "X-Request-Id": "bad id with spaces" } });
    expect(made.headers.get("X-Request-Id")).toMatch(/^req_/);
  });
});
