import { describe, expect, it } from "vitest";
import { api, createTenant } from "../helpers/api";
import { watchConsole } from "../helpers/secrets";
import { writesLine } from "../../src/middleware/request-context";

/** The `request` lines among those written (the suite-wide capture sees every level). */
function requestLines(lines: ReturnType<ReturnType<typeof watchConsole>>) {
  return lines.map((l) => ({ console: l.level, ...JSON.parse(l.text) })).filter((l) => l.msg === "request");
}

describe("request log", () => {
  it("writes one JSON line per request with method, route, tenant, status, duration and request id", async () => {
    const t = await createTenant();
    const logs = watchConsole();
    await api("/api/keys", { key: t.key, headers: { "X-Request-Id": "log-test-1" } });
    const requests = requestLines(logs());
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      console: "log",
      level: "info",
      method: "GET",
      route: "/api/keys",
      tenant: t.id,
      status: 200,
      request_id: "log-test-1",
    });
    expect(typeof requests[0].duration_ms).toBe("number");
  });

  it("logs a refused request too, without a tenant", async () => {
    const t = await createTenant();
    const logs = watchConsole();
    await api("/api/keys", { key: `${t.key}x`, headers: { "X-Request-Id": "log-test-401" } });
    expect(requestLines(logs())).toEqual([expect.objectContaining({ route: "/api/keys", tenant: null, status: 401, request_id: "log-test-401" })]);
  });

  it("never writes the key or the Authorization header, at any level", async () => {
    const t = await createTenant();
    const logs = watchConsole();
    await api("/api/keys", { key: t.key });
    await api("/api/keys", { key: `${t.key}x` });
    const written = logs();
    expect(requestLines(written)).toHaveLength(2);
    expect(written.map((l) => l.text).join("\n")).not.toContain(t.key);
    // And the suite-wide check (test/setup/no-secrets.ts), still in place, scans the same lines after this test.
  });

  it("keeps a line for every /api request and every refused served one, and the configured share of served successes", async () => {
    expect(writesLine("0", "/api/documents", 200)).toBe(true);
    expect(writesLine("0", "/openai/v1/chat/completions", 429)).toBe(true);
    expect(writesLine("0", "/openai/v1/chat/completions", 200)).toBe(false);
    expect(writesLine(undefined, "/openai/v1/chat/completions", 200)).toBe(true);
    expect(writesLine("1", "/openai/v1/chat/completions", 200)).toBe(true);
    expect(writesLine("0.25", "/openai/v1/chat/completions", 200, () => 0.2)).toBe(true);
    expect(writesLine("0.25", "/openai/v1/chat/completions", 200, () => 0.3)).toBe(false);
    // Through the app: a refused served request writes its line whatever the share.
    const logs = watchConsole();
    await api("/openai/v1/models", { key: "dk_not-a-key", headers: { "X-Request-Id": "log-test-served-401" } });
    expect(requestLines(logs())).toEqual([expect.objectContaining({ route: "/openai/v1/models", status: 401, request_id: "log-test-served-401" })]);
  });
});
