import { describe, expect, it } from "vitest";
import wranglerJsonc from "../wrangler.jsonc?raw";
import { parseWranglerConfig } from "../scripts/lib/wrangler-config";
import { API_TAGS, createApp, OPENAPI_PATH } from "../src/app";
import { api, bindings } from "./helpers/api";

/** Routes served outside the OpenAPI document on purpose. */
const UNDOCUMENTED = new Set(["GET /docs", `GET ${OPENAPI_PATH}`]);

describe("/openapi.json", () => {
  it("is OpenAPI 3.1 and describes every route the router serves", async () => {
    const res = await api(OPENAPI_PATH);
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe("3.1.0");
    const documented = new Set<string>();
    for (const [path, item] of Object.entries(res.body.paths as Record<string, object>)) {
      for (const method of Object.keys(item)) documented.add(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`);
    }
    const served = createApp()
      .routes.filter((r) => r.method !== "ALL" && !r.path.includes("*")) // middleware
      .map((r) => `${r.method} ${r.path}`)
      .filter((r) => !UNDOCUMENTED.has(r));
    expect(served.length).toBeGreaterThan(0);
    for (const route of served) expect(documented, `${route} is not in /openapi.json`).toContain(route);
    expect([...documented].sort()).toEqual([...new Set(served)].sort());
  });

  it("lists the edge's refusals on every operation: 400 where input is validated, 413 and 415 with a body, 409 with an Idempotency-Key", async () => {
    const paths = (await api(OPENAPI_PATH)).body.paths;
    const statuses = (path: string, method: string) => Object.keys(paths[path][method].responses).map(Number);
    expect(statuses("/api/documents/{id}", "get")).toEqual(expect.arrayContaining([400, 401, 404]));
    expect(statuses("/api/datasets/{id}/import", "post")).toEqual(expect.arrayContaining([400, 413, 415]));
    expect(statuses("/api/programs/{name}/run", "post")).toEqual(expect.arrayContaining([400, 409, 413, 415]));
    expect(statuses("/api/settings", "get")).not.toContain(400);
  });

  it("documents the error body and both security schemes", async () => {
    const res = await api(OPENAPI_PATH);
    expect(res.body.components.schemas.Error).toBeDefined();
    expect(Object.keys(res.body.components.securitySchemes).sort()).toEqual(["adminToken", "tenantKey"]);
  });

  it("tags every operation with a tag the document declares and describes", async () => {
    const res = await api(OPENAPI_PATH);
    const declared = (res.body.tags as { name: string; description: string }[]).map((t) => t.name);
    expect(declared).toEqual(API_TAGS.map((t) => t.name));
    const used = new Set<string>();
    for (const [path, item] of Object.entries(res.body.paths as Record<string, Record<string, { tags?: string[] }>>)) {
      for (const [method, op] of Object.entries(item)) {
        expect(op.tags, `${method.toUpperCase()} ${path} has no tag`).toHaveLength(1);
        expect(declared).toContain(op.tags![0]);
        used.add(op.tags![0]!);
      }
    }
    expect([...used].sort()).toEqual([...declared].sort()); // no declared tag left empty
  });

  it("serves /docs: Swagger UI from the Worker's own assets, under a CSP that keeps it on this origin", async () => {
    const res = await api("/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toContain("text/html");
    expect(res.text).toContain(`data-openapi="${OPENAPI_PATH}"`);
    const scripts = [...res.text.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) => m[1]!);
    const styles = [...res.text.matchAll(/<link[^>]+href="([^"]+)"/g)].map((m) => m[1]!);
    expect(scripts).toEqual(["/docs/swagger-ui-bundle.js"]);
    for (const url of [...scripts, ...styles]) expect(url, "no CDN: a path on this origin").toMatch(/^\/docs\//);
    const csp = res.headers.get("Content-Security-Policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("script-src 'self'");

    // The files it loads are the static assets wrangler.jsonc binds (built from swagger-ui-dist).
    for (const url of [...scripts, ...styles]) {
      const asset = await bindings.ASSETS.fetch(new Request(`https://distillery.test${url}`));
      expect(asset.status, url).toBe(200);
      expect((await asset.arrayBuffer()).byteLength, url).toBeGreaterThan(100);
    }
    const bundle = await (await bindings.ASSETS.fetch(new Request("https://distillery.test/docs/swagger-ui-bundle.js"))).text();
    expect(bundle).toContain("SwaggerUIBundle");
  });

  it("runs the Worker first for every route it serves: only the viewer's files are left to the assets", () => {
    const patterns = parseWranglerConfig(wranglerJsonc).assets?.run_worker_first as string[];
    expect(patterns.length).toBeGreaterThan(0);
    const matches = (pattern: string, path: string) =>
      pattern.endsWith("/*") ? path.startsWith(pattern.slice(0, -1)) || path === pattern.slice(0, -2) : path === pattern;
    const workerFirst = (path: string) =>
      patterns.filter((p) => !p.startsWith("!")).some((p) => matches(p, path)) &&
      !patterns.filter((p) => p.startsWith("!")).some((p) => matches(p.slice(1), path) && path !== p.slice(1, -2));
    const served = createApp()
      .routes.filter((r) => r.method !== "ALL")
      .map((r) => r.path.replace(/\*$/, "anything").replace(/:(\w+)/g, "x"));
    expect(served.length).toBeGreaterThan(30);
    for (const path of served) expect(workerFirst(path), `${path} would be served as a static asset`).toBe(true);
    expect(workerFirst("/docs/swagger-ui-bundle.js")).toBe(false);
  });
});
