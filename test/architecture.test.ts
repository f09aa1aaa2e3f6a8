import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The boundaries ARCHITECTURE.md states, checked on the source: each rule lists the imports that
 * break it, so a new violation fails with its file and line.
 */
const SRC = "src";

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

interface Import {
  file: string;
  line: number;
  spec: string;
  /** The imported module's path under src/, for relative imports. */
  target: string | null;
}

const IMPORTS: Import[] = sourceFiles(SRC).flatMap((file) =>
  readFileSync(file, "utf8")
    .split("\n")
    .flatMap((text, i) => {
      const m = /(?:^|\s)(?:import|export)\b[^"']*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/.exec(text);
      const spec = m?.[1] ?? m?.[2];
      if (!spec) return [];
      const target = spec.startsWith(".") ? relative(SRC, normalize(join(dirname(file), spec))) : null;
      return [{ file, line: i + 1, spec, target }];
    }),
);

const where = (i: Import) => `${i.file}:${i.line} imports ${i.spec}`;
const under = (path: string, folder: string) => path === folder || path.startsWith(`${folder}/`);
const inSrc = (i: Import, folder: string) => under(relative(SRC, i.file), folder);

describe("the boundaries in ARCHITECTURE.md", () => {
  it("finds the imports it checks", () => {
    expect(IMPORTS.length).toBeGreaterThan(200);
    expect(IMPORTS.some((i) => i.target === "routes/datasets")).toBe(true);
  });

  it("keeps HTTP at the edge: nothing outside src/routes and src/app.ts imports a route", () => {
    const bad = IMPORTS.filter((i) => i.target && under(i.target, "routes") && !inSrc(i, "routes") && relative(SRC, i.file) !== "app.ts");
    expect(bad.map(where)).toEqual([]);
  });

  it("keeps OpenAPI metadata in src/routes, src/openapi and src/app.ts", () => {
    const bad = IMPORTS.filter(
      (i) => i.spec === "@hono/zod-openapi" && !inSrc(i, "routes") && !inSrc(i, "openapi") && relative(SRC, i.file) !== "app.ts",
    );
    expect(bad.map(where)).toEqual([]);
  });

  it("never reaches the emulator from src/", () => {
    const bad = IMPORTS.filter((i) => i.spec.includes("emulator"));
    expect(bad.map(where)).toEqual([]);
  });

  it("keeps one direction between jobs and the job object: src/durable never imports src/jobs", () => {
    const bad = IMPORTS.filter((i) => inSrc(i, "durable") && i.target && under(i.target, "jobs"));
    expect(bad.map(where)).toEqual([]);
  });

  it("reaches the Tenant object through its handle, never its stores, outside src/durable", () => {
    const stores = ["durable/tenant/object", "durable/tenant/surfaces"];
    const bad = IMPORTS.filter((i) => !inSrc(i, "durable") && i.target && stores.some((s) => under(i.target!, s)) && relative(SRC, i.file) !== "worker.ts");
    expect(bad.map(where)).toEqual([]);
  });
});
