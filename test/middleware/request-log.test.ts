import { describe, expect, it } from "vitest";
import { api, createTenant } from "../helpers/api";
import { watchConsole } from "../helpers/secrets";

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
});
