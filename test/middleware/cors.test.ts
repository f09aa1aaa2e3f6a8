import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import type { Bindings } from "../../src/env";
import { allowedOrigin } from "../../src/middleware/cors";
import { api, bindings, createTenant } from "../helpers/api";

const ORIGIN = "https://console.example";

describe("CORS for the API", () => {
  it("answers a browser's preflight without a key (it carries none), for /api and /openai", async () => {
    for (const path of ["/api/datasets", "/openai/v1/models"]) {
      const res = await api(path, {
        method: "OPTIONS",
        headers: { Origin: ORIGIN, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, content-type, idempotency-key" },
      });
      expect(res.status, path).toBe(204);
      expect(res.headers.get("Access-Control-Allow-Origin"), path).toBe("*");
      expect(res.headers.get("Access-Control-Allow-Methods"), path).toContain("POST");
      expect(res.headers.get("Access-Control-Allow-Headers"), path).toBe("authorization,content-type,idempotency-key");
      expect(res.headers.get("Access-Control-Allow-Credentials"), path).toBeNull();
    }
  });

  it("lets a browser read the headers its retries depend on", async () => {
    const t = await createTenant();
    const res = await api("/api/datasets", { key: t.key, headers: { Origin: ORIGIN } });
    expect(res.status).toBe(200);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(res.headers.get("Access-Control-Expose-Headers")).toContain("X-Request-Id");
    expect(res.headers.get("Access-Control-Expose-Headers")).toContain("Retry-After");
  });

  it("names only a listed origin, and none when CORS_ORIGINS is empty", async () => {
    const app = createApp();
    const preflight = (origin: string, env: Partial<Bindings>) =>
      app.request("/api/datasets", { method: "OPTIONS", headers: { Origin: origin, "Access-Control-Request-Method": "GET" } }, { ...bindings, ...env });
    const listed = await preflight(ORIGIN, { CORS_ORIGINS: `https://other.example, ${ORIGIN}` } as unknown as Partial<Bindings>);
    expect(listed.headers.get("Access-Control-Allow-Origin")).toBe(ORIGIN);
    expect(listed.headers.get("Vary")).toContain("Origin");
    const stranger = await preflight("https://evil.example", { CORS_ORIGINS: ORIGIN } as unknown as Partial<Bindings>);
    expect(stranger.headers.get("Access-Control-Allow-Origin")).toBeNull();
    const off = await preflight(ORIGIN, { CORS_ORIGINS: "" } as unknown as Partial<Bindings>);
    expect(off.headers.get("Access-Control-Allow-Origin")).toBeNull();
    expect(off.status).toBe(401); // no CORS: a preflight is just a request without a key
  });

  it("reads the setting as any origin, a list, or nothing", () => {
    expect(allowedOrigin("*", ORIGIN)).toBe("*");
    expect(allowedOrigin(` ${ORIGIN} ,https://b.example`, ORIGIN)).toBe(ORIGIN);
    expect(allowedOrigin("https://b.example", ORIGIN)).toBeNull();
    expect(allowedOrigin("", ORIGIN)).toBeNull();
    expect(allowedOrigin(ORIGIN, "")).toBeNull();
  });
});
