import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api, createTenant } from "../helpers/api";

describe("request log", () => {
  let lines: string[];
  beforeEach(() => {
    lines = [];
    const record = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
    vi.spyOn(console, "log").mockImplementation(record);
    vi.spyOn(console, "error").mockImplementation(record);
  });
  afterEach(() => vi.restoreAllMocks());

  it("writes one JSON line per request with method, route, tenant, status, duration and request id", async () => {
    const t = await createTenant();
    lines = [];
    await api("/api/keys", { key: t.key, headers: { "X-Request-Id": "log-test-1" } });
    const requests = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === "request");
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      method: "GET",
      route: "/api/keys",
      tenant: t.id,
      status: 200,
      request_id: "log-test-1",
    });
    expect(typeof requests[0].duration_ms).toBe("number");
  });

  it("never writes the key or the Authorization header", async () => {
    const t = await createTenant();
    lines = [];
    await api("/api/keys", { key: t.key });
    await api("/api/keys", { key: `${t.key}x` });
    expect(lines.join("\n")).not.toContain(t.key);
  });
});
