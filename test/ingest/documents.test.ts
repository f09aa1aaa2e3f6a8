import { describe, expect, it } from "vitest";
import { openTenant } from "../../src/durable/tenant";
import { api, bindings, createTenant } from "../helpers/api";
import { ingestNow } from "../helpers/queues";
import { samplePdf, sampleDoc } from "../fixtures/samples";

async function upload(key: string, json: unknown) {
  return api("/api/documents", { method: "POST", key, json });
}

describe("documents: upload and ingest", () => {
  it("accepts JSON text with 202 pending, then the consumer makes it ready with chunks and tokens", async () => {
    const t = await createTenant();
    const res = await upload(t.key, { title: "Sourdough", text: sampleDoc("sourdough-starter.txt"), metadata: { kind: "recipe" } });
    expect(res.status).toBe(202);
    expect(res.body.document).toMatchObject({ status: "pending", format: "text", title: "Sourdough" });
    const id = res.body.document.id;
    const result = await ingestNow(t.id, id);
    expect(result.explicitAcks).toHaveLength(1);
    const doc = await api(`/api/documents/${id}`, { key: t.key });
    expect(doc.body).toMatchObject({ status: "ready", error: null, settings: { chunk_size: 1024, chunk_overlap: 200, encoding: "cl100k_base" } });
    expect(doc.body.chunk_count).toBeGreaterThanOrEqual(1);
    expect(doc.body.token_count).toBeGreaterThan(100);
    expect(JSON.stringify(doc.body)).not.toContain("r2_key");
    const usage = await api("/api/usage", { key: t.key });
    const embedding = usage.body.data.find((r: { kind: string }) => r.kind === "embedding");
    expect(embedding).toMatchObject({ model: "text-embedding-3-small", completion_tokens: 0 });
    expect(embedding.prompt_tokens).toBeGreaterThan(100);
  });

  it("ingests the generated corpus PDF with page numbers kept on the chunks", async () => {
    const t = await createTenant();
    const res = await api("/api/documents?title=Field%20guide", {
      method: "POST",
      key: t.key,
      headers: { "Content-Type": "application/pdf" },
      body: samplePdf("corpusPdf"),
    });
    expect(res.status).toBe(202);
    await ingestNow(t.id, res.body.document.id);
    const doc = await api(`/api/documents/${res.body.document.id}`, { key: t.key });
    expect(doc.body.status).toBe("ready");
    expect(doc.body.page_count).toBeGreaterThan(20);
    expect(doc.body.chunk_count).toBeGreaterThanOrEqual(24);
    const hits = await api("/api/retrieve", { method: "POST", key: t.key, json: { query: "knowledge distillation soft targets", top_k: 3 } });
    expect(hits.status).toBe(200);
    expect(hits.body.data).toHaveLength(3);
    expect(hits.body.data[0].page).toBeGreaterThanOrEqual(1);
    expect(hits.body.data[0].title).toBe("Field guide");
  });

  it("accepts a multipart upload", async () => {
    const t = await createTenant();
    const form = new FormData();
    form.append("file", new File([sampleDoc("kestrel-bay-harbour-notes.md")], "harbour.md", { type: "text/markdown" }));
    form.append("metadata", JSON.stringify({ source: "notes" }));
    const res = await api("/api/documents", { method: "POST", key: t.key, body: form });
    expect(res.status).toBe(202);
    expect(res.body.document).toMatchObject({ title: "harbour.md", format: "markdown", metadata: { source: "notes" } });
  });

  it("detects identical content by hash and does not duplicate chunks", async () => {
    const t = await createTenant();
    const body = { title: "Harbour", text: sampleDoc("kestrel-bay-harbour-notes.md"), format: "markdown" };
    const first = await upload(t.key, body);
    await ingestNow(t.id, first.body.document.id);
    const again = await upload(t.key, body);
    expect(again.status).toBe(200);
    expect(again.body.duplicate).toBe(true);
    expect(again.body.document.id).toBe(first.body.document.id);
    const list = await api("/api/documents", { key: t.key });
    expect(list.body.data).toHaveLength(1);
  });

  it("writes nothing twice when the ingest message is redelivered", async () => {
    const t = await createTenant();
    const res = await upload(t.key, { title: "S", text: sampleDoc("sourdough-starter.txt") });
    const id = res.body.document.id;
    await ingestNow(t.id, id);
    const before = await api(`/api/documents/${id}`, { key: t.key });
    const redelivered = await ingestNow(t.id, id, 2);
    expect(redelivered.explicitAcks).toHaveLength(1);
    const after = await api(`/api/documents/${id}`, { key: t.key });
    expect(after.body.chunk_count).toBe(before.body.chunk_count);
    const hits = await api("/api/retrieve", { method: "POST", key: t.key, json: { query: "starter flour water", top_k: 100 } });
    expect(hits.body.data).toHaveLength(before.body.chunk_count);
  });

  it("redoes the split when a crash left only some pages of chunks stored (the counts come with the last page)", async () => {
    const t = await createTenant();
    const res = await upload(t.key, { title: "S", text: sampleDoc("sourdough-starter.txt") });
    const id = res.body.document.id;
    using tenant = openTenant(bindings, t.id);
    const started = await tenant.ingest.start(id);
    expect(started?.chunked).toBe(false);
    // What a consumer killed after its first page leaves behind: the first chunk (ids are `doc:idx`), no counts.
    await tenant.ingest.storeChunks(id, [{ id: `${id}:0`, idx: 0, text: "a first page", start: 0, end: 12, page_from: null, page_to: null, tokens: 3 }]);
    expect((await tenant.ingest.start(id))?.chunked).toBe(false);
    await ingestNow(t.id, id, 2);
    const doc = await api(`/api/documents/${id}`, { key: t.key });
    expect(doc.body).toMatchObject({ status: "ready", token_count: expect.any(Number) });
    // The same text ingested cleanly: the resumed document has exactly as many chunks, none doubled.
    const clean = await upload(t.key, { title: "S2", text: sampleDoc("sourdough-starter.txt") });
    await ingestNow(t.id, clean.body.document.id);
    const cleanDoc = await api(`/api/documents/${clean.body.document.id}`, { key: t.key });
    expect(doc.body.chunk_count).toBe(cleanDoc.body.chunk_count);
    expect(doc.body.token_count).toBe(cleanDoc.body.token_count);
  });

  it("applies per-request chunk settings and the tenant's defaults", async () => {
    const t = await createTenant();
    const patched = await api("/api/settings", { method: "PATCH", key: t.key, json: { chunking: { chunk_size: 256, chunk_overlap: 32 } } });
    expect(patched.status).toBe(200);
    const byTenant = await upload(t.key, { title: "S", text: sampleDoc("sourdough-starter.txt") });
    expect(byTenant.body.document.settings).toMatchObject({ chunk_size: 256, chunk_overlap: 32 });
    const byRequest = await upload(t.key, { title: "H", text: sampleDoc("kestrel-bay-harbour-notes.md"), chunk_size: 128, chunk_overlap: 0, encoding: "o200k_base" });
    expect(byRequest.body.document.settings).toEqual({ chunk_size: 128, chunk_overlap: 0, encoding: "o200k_base" });
    await ingestNow(t.id, byRequest.body.document.id);
    const doc = await api(`/api/documents/${byRequest.body.document.id}`, { key: t.key });
    expect(doc.body.chunk_count).toBeGreaterThan(3);
  });

  it("lists documents newest first, paged after the last id", async () => {
    const t = await createTenant();
    for (const title of ["a", "b", "c"]) await upload(t.key, { title, text: `${title} is a document about ${title}.` });
    const page1 = await api("/api/documents?limit=2", { key: t.key });
    expect(page1.body.data.map((d: { title: string }) => d.title)).toEqual(["c", "b"]);
    expect(page1.body).toMatchObject({ object: "list", has_more: true });
    const page2 = await api(`/api/documents?limit=2&after=${page1.body.last_id}`, { key: t.key });
    expect(page2.body.data.map((d: { title: string }) => d.title)).toEqual(["a"]);
    expect(page2.body.has_more).toBe(false);
  });
});

describe("documents: delete", () => {
  it("removes chunks, vectors and the original, and is repeat-safe", async () => {
    const t = await createTenant();
    const res = await upload(t.key, { title: "S", text: sampleDoc("sourdough-starter.txt") });
    const id = res.body.document.id;
    await ingestNow(t.id, id);
    const del = await api(`/api/documents/${id}`, { method: "DELETE", key: t.key });
    expect(del.status).toBe(200);
    expect((await api(`/api/documents/${id}`, { key: t.key })).status).toBe(404);
    const hits = await api("/api/retrieve", { method: "POST", key: t.key, json: { query: "starter", top_k: 5 } });
    expect(hits.body.data).toEqual([]);
    const listed = await bindings.DATA.list({ prefix: `tenants/${t.id}/documents/${id}/` });
    expect(listed.objects).toHaveLength(0);
    expect((await api(`/api/documents/${id}`, { method: "DELETE", key: t.key })).status).toBe(200);
  });

  it("404s an unknown id and another tenant's id", async () => {
    const a = await createTenant("a");
    const b = await createTenant("b");
    const res = await upload(a.key, { title: "A", text: "Only tenant A may see this." });
    expect((await api(`/api/documents/doc_nope`, { key: b.key })).status).toBe(404);
    expect((await api(`/api/documents/${res.body.document.id}`, { key: b.key })).status).toBe(404);
    expect((await api(`/api/documents/${res.body.document.id}`, { method: "DELETE", key: b.key })).status).toBe(404);
    expect((await api(`/api/documents/${res.body.document.id}`, { key: a.key })).status).toBe(200);
  });
});
