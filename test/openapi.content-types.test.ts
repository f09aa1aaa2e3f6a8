import { beforeAll, describe, expect, it } from "vitest";
import { samplePdf } from "./fixtures/samples";
import { api } from "./helpers/api";
import { exampleLines } from "./helpers/jobs";
import { BODIES } from "./security/bodies";
import { fillPath, loadOperations, type Operation } from "./fuzz/spec";
import { credentialFor, makeWorld, pathValues, type World } from "./fuzz/world";

/**
 * The spec and the server agree on media types: every content type an operation's requestBody
 * declares in /openapi.json is one the server takes (never a 415). Read from the served document,
 * so a route added later is checked too.
 */
const ops = await loadOperations();
const withBodies = ops.flatMap((op) => Object.keys(op.body?.content ?? {}).map((type) => [`${op.key} as ${type}`, op, type] as const));

let world: World;
beforeAll(async () => {
  world = await makeWorld(`ct-${crypto.randomUUID().slice(0, 6)}`);
});

/** The security suite's minimal body for the route (keyed `METHOD /path/:param`), if it has one. */
function minimalJson(op: Operation): unknown {
  const body = BODIES[`${op.method} ${op.path.replace(/\{(\w+)\}/g, ":$1")}`];
  return body && "json" in body ? body.json : {};
}

/** A well-formed body of `type` for the operation. */
function bodyOf(op: Operation, type: string): BodyInit {
  if (/json$|\+json$/.test(type) && type !== "application/jsonl") return JSON.stringify(minimalJson(op));
  if (type === "multipart/form-data") {
    const form = new FormData();
    form.set("file", new File(["A probe document in a form."], "probe.txt", { type: "text/plain" }));
    form.set("title", "probe");
    return form;
  }
  if (type === "application/x-www-form-urlencoded") return new URLSearchParams({ probe: "1" });
  if (type === "application/pdf") return samplePdf("tinyPdf");
  // JSONL, or text: a JSONL line is text too, and what an import takes.
  return exampleLines(1, `ct-${type}`);
}

describe("every declared request content type", () => {
  it("is read from /openapi.json (at least the document upload's five and the import's three)", () => {
    expect(withBodies.length).toBeGreaterThanOrEqual(8);
    expect(withBodies.map(([name]) => name)).toContain("POST /api/datasets/{id}/import as application/jsonl");
  });

  it.each(withBodies)("%s is accepted (no 415, no 5xx)", async (_name, op, type) => {
    const body = bodyOf(op, type);
    const headers: Record<string, string> = body instanceof FormData ? {} : { "Content-Type": type };
    const res = await api(fillPath(op.path, pathValues(op, world)), { method: op.method, key: credentialFor(op, world), headers, body });
    expect(res.status, res.text).not.toBe(415);
    expect(res.status, res.text).toBeLessThan(500);
  });
});
