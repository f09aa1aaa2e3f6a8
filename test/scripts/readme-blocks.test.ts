import { describe, expect, it } from "vitest";
import { documentedRoutes, missingRoutes, normalizeRoute, parseStep, readBlocks, readPath, splitCommands } from "../../scripts/lib/readme-blocks";

const fence = "```";

describe("README command blocks (npm run test:readme)", () => {
  it("splits commands at newlines, joins continuations, keeps quoted newlines and drops comments", () => {
    const script = [
      "# a comment line",
      "curl -X POST $URL/a \\",
      "     -d '{\"a\": 1,",
      "  \"b\": \"# not a comment\"}'   # trailing comment",
      "curl $URL/b -H \"Authorization: Bearer $KEY\"",
    ].join("\n");
    expect(splitCommands(script)).toEqual([
      "curl -X POST $URL/a       -d '{\"a\": 1,\n  \"b\": \"# not a comment\"}'",
      'curl $URL/b -H "Authorization: Bearer $KEY"',
    ]);
  });

  it("refuses an unterminated quote rather than running half a command", () => {
    expect(() => splitCommands("curl -d '{\"a\": 1}")).toThrow(/unterminated/);
  });

  it("reads a step's status, saves and bounded wait in any order", () => {
    expect(parseStep("200 within:60 until:.status=ready|failed ID=.data[0].id")).toEqual({
      status: 200,
      saves: [{ name: "ID", path: ".data[0].id" }],
      until: { path: ".status", values: ["ready", "failed"], withinS: 60 },
    });
    expect(() => parseStep("ok")).toThrow(/HTTP status/);
    expect(() => parseStep("200 wait")).toThrow(/unknown token/);
  });

  it("reads JSON paths with dots and indexes", () => {
    const v = { data: [{ id: "a" }], api_key: { key: "k" } };
    expect(readPath(v, ".data[0].id")).toBe("a");
    expect(readPath(v, ".data.0.id")).toBe("a");
    expect(readPath(v, ".api_key.key")).toBe("k");
    expect(readPath(v, ".missing.x")).toBeUndefined();
  });

  const readme = [
    "## Quick start",
    `${fence}sh`,
    "npm install",
    fence,
    "## Using the API",
    "<!-- readme-test: 201 KEY=.api_key.key;",
    "     200 -->",
    `${fence}sh`,
    "curl -X POST $URL/admin/tenants -d '{}'",
    "curl $URL/api/keys",
    fence,
    "<!-- readme-test: skip needs an account -->",
    `${fence}bash`,
    "npx wrangler login",
    fence,
    `${fence}json`,
    "{}",
    fence,
    "## Deploying",
    `${fence}sh`,
    "npm run deploy",
    fence,
  ].join("\n");

  it("takes every sh/bash block outside the excluded sections, pairing curls with steps", () => {
    const blocks = readBlocks(readme, ["Quick start", "Deploying"]);
    expect(blocks.map((b) => [b.section, b.skip ?? null, b.commands.length])).toEqual([
      ["Using the API", null, 2],
      ["Using the API", "needs an account", 0],
    ]);
    expect(blocks[0]!.commands.map((c) => c.step?.status)).toEqual([201, 200]);
  });

  it("refuses a block without a directive, and a directive whose steps do not match its curls", () => {
    expect(() => readBlocks(readme, ["Deploying"])).toThrow(/without a <!-- readme-test/);
    const short = readme.replace("200 -->", "-->").replace("KEY=.api_key.key;", "KEY=.api_key.key");
    expect(() => readBlocks(short, ["Quick start", "Deploying"])).toThrow(/2 curl command\(s\) but 1 step/);
  });

  it("does not carry a directive past text onto a later block", () => {
    const md = ["## A", "<!-- readme-test: 200 -->", "Some prose.", `${fence}sh`, "curl $URL/x", fence].join("\n");
    expect(() => readBlocks(md, [])).toThrow(/without a <!-- readme-test/);
  });

  it("collects the routes the prose names, outside code blocks and excluded sections, with parameters folded", () => {
    const md = [
      "## Quick start",
      "`GET /health` answers.",
      "## Documents",
      "`DELETE /api/documents/:id` removes it; `PATCH /api/settings {\"chunking\": {}}` sets defaults.",
      `${fence}sh`,
      "# `PUT /api/not-prose` inside a block is not prose",
      fence,
      "`GET /api/datasets/{id}/export?x=1` gives it back.",
    ].join("\n");
    expect(documentedRoutes(md, ["Quick start"])).toEqual(["DELETE /api/documents/{…}", "GET /api/datasets/{…}/export", "PATCH /api/settings"]);
  });

  it("folds :params, {params} and shell variables into one segment wildcard", () => {
    expect(normalizeRoute("/api/jobs/$JOB_ID/cancel")).toBe("/api/jobs/{…}/cancel");
    expect(normalizeRoute("/api/jobs/:id")).toBe("/api/jobs/{…}");
    expect(normalizeRoute("/api/jobs/attach")).toBe("/api/jobs/attach");
  });

  it("reports a documented route no executed command matched", () => {
    const executed = ["POST /api/programs/album/run", "DELETE /api/documents/{…}", "GET /api/datasets"];
    expect(missingRoutes(["POST /api/programs/{…}/run", "DELETE /api/documents/{…}"], executed)).toEqual([]);
    expect(missingRoutes(["PUT /api/programs/{…}", "GET /api/datasets/{…}"], executed)).toEqual(["PUT /api/programs/{…}", "GET /api/datasets/{…}"]);
  });
});
