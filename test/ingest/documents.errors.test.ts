import { describe, expect, it } from "vitest";
import { api, bindings, createTenant } from "../helpers/api";
import { samplePdf } from "../fixtures/samples";

async function storedObjects(tenantId: string): Promise<number> {
  return (await bindings.DATA.list({ prefix: `tenants/${tenantId}/` })).objects.length;
}

async function expectNothingStored(t: { id: string; key: string }) {
  expect(await storedObjects(t.id)).toBe(0);
  expect((await api("/api/documents", { key: t.key })).body.data).toEqual([]);
}

function rawUpload(key: string, contentType: string, body: BodyInit, query = "") {
  return api(`/api/documents${query}`, { method: "POST", key, headers: { "Content-Type": contentType }, body });
}

describe("documents: bad input is a 4xx and stores nothing", () => {
  it("refuses empty and whitespace-only text", async () => {
    const t = await createTenant();
    for (const text of ["", "   \n\t  "]) {
      const res = await api("/api/documents", { method: "POST", key: t.key, json: { title: "x", text } });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/no text|empty/i);
    }
    expect((await rawUpload(t.key, "text/plain", "  \n ")).status).toBe(400);
    await expectNothingStored(t);
  });

  it("refuses text over 32 MiB with a 413 naming the limit, before anything is stored", async () => {
    const t = await createTenant();
    const text = "word ".repeat((32 * 1024 * 1024) / 5 + 1); // 32 MiB and 4 bytes
    const res = await rawUpload(t.key, "text/plain", text);
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ code: "payload_too_large", details: { max_text_bytes: 32 * 1024 * 1024 } });
    expect(res.body.error.message).toMatch(/limited to 32 MiB of text; this one has 32\.0 MiB/);
    await expectNothingStored(t);
  });

  it("refuses an unsupported content type with 415", async () => {
    const t = await createTenant();
    const res = await rawUpload(t.key, "image/png", new Uint8Array([137, 80, 78, 71]));
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe("unsupported_media_type");
    const form = new FormData();
    form.append("file", new File([new Uint8Array([1, 2, 3])], "picture.png", { type: "image/png" }));
    const multipart = await api("/api/documents", { method: "POST", key: t.key, body: form });
    expect(multipart.status).toBe(415);
    await expectNothingStored(t);
  });

  it("refuses a corrupt PDF", async () => {
    const t = await createTenant();
    for (const name of ["corruptPdf", "truncatedPdf"] as const) {
      const res = await rawUpload(t.key, "application/pdf", samplePdf(name));
      expect(res.status, name).toBe(400);
      expect(res.body.error.message).toMatch(/not a readable PDF/i);
    }
    await expectNothingStored(t);
  });

  it("refuses an encrypted PDF, saying so", async () => {
    const t = await createTenant();
    const res = await rawUpload(t.key, "application/pdf", samplePdf("encryptedPdf"));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/encrypted/i);
    await expectNothingStored(t);
  });

  it("refuses a PDF with no text layer with a clear message", async () => {
    const t = await createTenant();
    const res = await rawUpload(t.key, "application/pdf", samplePdf("noTextLayerPdf"));
    expect(res.status).toBe(422);
    expect(res.body.error.message).toMatch(/no text layer/i);
    await expectNothingStored(t);
  });

  it("refuses a body over the upload limit with 413", async () => {
    const t = await createTenant();
    const max = Number(bindings.MAX_DOCUMENT_BYTES);
    const res = await rawUpload(t.key, "text/plain", "a".repeat(max + 1));
    expect(res.status).toBe(413);
    await expectNothingStored(t);
  });

  it("refuses chunk_overlap >= chunk_size, per request and in tenant settings", async () => {
    const t = await createTenant();
    const res = await api("/api/documents", {
      method: "POST",
      key: t.key,
      json: { title: "x", text: "Some text.", chunk_size: 100, chunk_overlap: 100 },
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.error)).toContain("chunk_overlap");
    const raw = await rawUpload(t.key, "text/plain", "Some text.", "?chunk_size=64&chunk_overlap=80");
    expect(raw.status).toBe(400);
    const settings = await api("/api/settings", { method: "PATCH", key: t.key, json: { chunking: { chunk_size: 50, chunk_overlap: 60 } } });
    expect(settings.status).toBe(400);
    await expectNothingStored(t);
  });

  it("refuses metadata that leaves no room in a chunk", async () => {
    const t = await createTenant();
    const res = await api("/api/documents", {
      method: "POST",
      key: t.key,
      json: { title: "x", text: "Some text.", chunk_size: 32, chunk_overlap: 0, metadata: { note: "word ".repeat(90) } },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/metadata/i);
    await expectNothingStored(t);
  });

  it("refuses top_k out of range and an empty query", async () => {
    const t = await createTenant();
    for (const body of [{ query: "x", top_k: 0 }, { query: "x", top_k: 101 }, { query: "   " }]) {
      const res = await api("/api/retrieve", { method: "POST", key: t.key, json: body });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("validation_failed");
    }
  });

  it("refuses a filter on a field that is not indexed", async () => {
    const t = await createTenant();
    const res = await api("/api/retrieve", { method: "POST", key: t.key, json: { query: "x", filter: { title: "nope" } } });
    expect(res.status).toBe(400);
  });
});
