import { describe, expect, it } from "vitest";
import { api, ADMIN_TOKEN, createTenant } from "../helpers/api";
import { exampleLines } from "../helpers/jobs";
import { programSpec } from "../security/fixtures";
import { jobPathSegment } from "../../src/providers/http";

/**
 * Names and identifiers refuse what is not plain text (issue 14): control characters and NUL, lone
 * surrogates, bidi overrides. Each refusal is a 400 `validation_failed` naming the field, and
 * nothing is stored.
 */
const UNSAFE: [string, string][] = [
  ["NUL", "a\u0000b"],
  ["a control character", "a\u0007b"],
  ["a newline", "a\nb"],
  ["a C1 control", "a\u0085b"],
  ["a lone high surrogate", "ab\ud800c"],
  ["a lone low surrogate", "ab\udc00"],
  ["a bidi override", "abc\u202egpj.exe"],
  ["a bidi isolate", "a\u2066b"],
];

function expectFieldRefused(res: { status: number; body: any; text: string }, field: string) {
  expect(res.status, res.text).toBe(400);
  expect(res.body.error.code, res.text).toBe("validation_failed");
  expect(res.body.error.message).toContain(field);
  expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(field);
}

describe("names and identifiers", () => {
  it.each(UNSAFE)("refuse %s in a document title, a key's name, a tenant's name and a metadata value", async (_what, bad) => {
    const t = await createTenant();
    expectFieldRefused(await api("/api/documents", { method: "POST", key: t.key, json: { title: bad, text: "Some text." } }), "title");
    expectFieldRefused(
      await api("/api/documents", { method: "POST", key: t.key, json: { title: "ok", text: "Some text.", metadata: { source: bad } } }),
      "metadata.source",
    );
    expectFieldRefused(await api("/api/keys", { method: "POST", key: t.key, json: { name: bad } }), "name");
    expectFieldRefused(await api("/admin/tenants", { method: "POST", key: ADMIN_TOKEN, json: { name: bad } }), "name");
    expect((await api("/api/documents", { key: t.key })).body.data).toEqual([]);
    expect((await api("/api/keys", { key: t.key })).body.data).toHaveLength(1);
  });

  it("refuse a raw upload's title in the query and a multipart file name used as the title", async () => {
    const t = await createTenant();
    const raw = await api(`/api/documents?title=${encodeURIComponent("x\u202ey")}`, {
      method: "POST",
      key: t.key,
      headers: { "Content-Type": "text/plain" },
      body: "Some text.",
    });
    expectFieldRefused(raw, "title");
    const form = new FormData();
    form.set("file", new File(["Some text."], "notes\u202etxt.exe", { type: "text/plain" }));
    expectFieldRefused(await api("/api/documents", { method: "POST", key: t.key, body: form }), "file");
    expect((await api("/api/documents", { key: t.key })).body.data).toEqual([]);
  });

  it("refuse references to programs, datasets, documents and models, and path ids", async () => {
    const t = await createTenant();
    await api("/api/programs", { method: "POST", key: t.key, json: { name: "p1", ...programSpec("p") } });
    const bad = "p1\u0000";
    expectFieldRefused(await api("/api/query", { method: "POST", key: t.key, json: { question: "q?", program: bad } }), "program");
    expectFieldRefused(await api("/api/programs/p1/run", { method: "POST", key: t.key, json: { model: "m\ud800" } }), "model");
    expectFieldRefused(await api("/api/programs/p1/run", { method: "POST", key: t.key, json: { capture: { dataset: "d\u202e" } } }), "capture.dataset");
    expectFieldRefused(await api("/api/datasets", { method: "POST", key: t.key, json: { name: "d1", program: "p1", documents: ["doc\u0001"] } }), "documents.0");
    expectFieldRefused(await api("/api/documents/doc%00x", { key: t.key }), "id");
    expectFieldRefused(await api(`/api/jobs/${encodeURIComponent("job\u2067")}`, { key: t.key }), "id");
    expect((await api("/api/datasets", { key: t.key })).body.data).toEqual([]);
  });

  it("accept names in any script, with emoji and combining marks", async () => {
    const t = await createTenant();
    const title = "Zürich 東京 مرحبا 🎉 e\u0301";
    const res = await api("/api/documents", { method: "POST", key: t.key, json: { title, text: "Some text.", metadata: { city: "Zürich" } } });
    expect(res.status, res.text).toBe(202);
    expect(res.body.document.title).toBe(title);
  });
});

describe("attaching a provider job", () => {
  it("answers 400 naming provider_job_id for a lone surrogate (was a retryable 502 from a URIError)", async () => {
    const t = await createTenant();
    const res = await api("/api/jobs/attach", { method: "POST", key: t.key, json: { provider: "together", provider_job_id: "ft-\ud800x" } });
    expectFieldRefused(res, "provider_job_id");
    expect((await api("/api/jobs", { key: t.key })).body.data).toEqual([]);
  });

  it("refuses a webhook_url with a control character or a lone surrogate before anything is asked of the provider", async () => {
    const t = await createTenant();
    for (const url of ["https://hooks.example.com/a\u0000b", "https://hooks.example.com/\ud800"]) {
      const res = await api("/api/jobs/attach", { method: "POST", key: t.key, json: { provider: "together", provider_job_id: "ft-x", webhook_url: url } });
      expectFieldRefused(res, "webhook_url");
    }
  });

  it("checks a job id before a provider URL is built from it, so no URIError reaches the provider call", () => {
    expect(() => jobPathSegment("together", "ft-\ud800")).toThrow(expect.objectContaining({ code: "validation_failed", retryable: false }));
    expect(jobPathSegment("together", "ft-a/b")).toBe("ft-a%2Fb");
  });
});

describe("documents", () => {
  it.each([
    ["1,000 NUL bytes", "\u0000".repeat(1000)],
    ["only control characters and whitespace", "\u0001\u0002 \t\n\u007f\u0085"],
    ["only zero-width and bidi characters", "\u200b\u200d\u202e\u2066\ufeff"],
  ])("must contain text: %s is a 400 saying so, and nothing is stored", async (_what, text) => {
    const t = await createTenant();
    const res = await api("/api/documents", { method: "POST", key: t.key, json: { title: "empty", text } });
    expect(res.status, res.text).toBe(400);
    expect(res.body.error.message).toMatch(/no text/);
    const raw = await api("/api/documents?title=raw", { method: "POST", key: t.key, headers: { "Content-Type": "text/plain" }, body: text });
    expect(raw.status, raw.text).toBe(400);
    expect((await api("/api/documents", { key: t.key })).body.data).toEqual([]);
  });

  it("keeps a document with some text among NULs", async () => {
    const t = await createTenant();
    const res = await api("/api/documents", { method: "POST", key: t.key, json: { title: "mixed", text: `${"\u0000".repeat(10)}Some text.` } });
    expect(res.status, res.text).toBe(202);
  });
});

describe("dataset import", () => {
  it("takes application/jsonl, as /openapi.json declares", async () => {
    const t = await createTenant();
    const ds = await api("/api/datasets", { method: "POST", key: t.key, json: { name: "jsonl" } });
    const res = await api(`/api/datasets/${ds.body.id}/import`, {
      method: "POST",
      key: t.key,
      headers: { "Content-Type": "application/jsonl; charset=utf-8" },
      body: exampleLines(2, "jsonl"),
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.imported).toBe(2);
  });
});
