import { describe, expect, it } from "vitest";
import { createApp, OPENAPI_PATH } from "../src/app";
import { api } from "./helpers/api";

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
    expect(statuses("/api/keys", "get")).not.toContain(400);
  });

  it("documents the error body and both security schemes", async () => {
    const res = await api(OPENAPI_PATH);
    expect(res.body.components.schemas.Error).toBeDefined();
    expect(Object.keys(res.body.components.securitySchemes).sort()).toEqual(["adminToken", "tenantKey"]);
  });

  it("serves a docs page that renders the document offline", async () => {
    const res = await api("/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toContain("text/html");
    expect(res.text).toContain(OPENAPI_PATH);
    expect(res.text).not.toMatch(/<script[^>]+src=/);
  });
});
