import { describe, expect, it } from "vitest";
import { api, createTenant } from "../helpers/api";
import { configureRun, uniqueRun } from "../helpers/emulator";
import { ingestNow } from "../helpers/queues";
import { watchConsole } from "../helpers/secrets";
import { MAX_INGEST_ATTEMPTS } from "../../src/queues/retry";
import { sampleDoc } from "../fixtures/samples";

async function ingest(t: { id: string; key: string }, title: string, text: string) {
  const res = await api("/api/documents", { method: "POST", key: t.key, json: { title, text } });
  await ingestNow(t.id, res.body.document.id);
  return res.body.document.id as string;
}

describe("retrieval", () => {
  it("returns chunks in score order with text, score, document and title", async () => {
    const t = await createTenant();
    const harbour = await ingest(t, "Harbour", sampleDoc("kestrel-bay-harbour-notes.md"));
    await ingest(t, "Sourdough", sampleDoc("sourdough-starter.txt"));
    const res = await api("/api/retrieve", { method: "POST", key: t.key, json: { query: "harbour tide moorings boats", top_k: 2 } });
    expect(res.status).toBe(200);
    expect(res.body.data[0]).toMatchObject({ document_id: harbour, title: "Harbour", page: null });
    expect(res.body.data[0].score).toBeGreaterThanOrEqual(res.body.data[1].score);
    expect(res.body.data[0].text.length).toBeGreaterThan(0);
  });

  it("filters by document", async () => {
    const t = await createTenant();
    await ingest(t, "Harbour", sampleDoc("kestrel-bay-harbour-notes.md"));
    const sourdough = await ingest(t, "Sourdough", sampleDoc("sourdough-starter.txt"));
    const res = await api("/api/retrieve", {
      method: "POST",
      key: t.key,
      json: { query: "harbour tide", top_k: 5, filter: { document_id: sourdough } },
    });
    expect(res.body.data.length).toBeGreaterThan(0);
    for (const hit of res.body.data) expect(hit.document_id).toBe(sourdough);
  });

  it("never returns another tenant's chunks", async () => {
    const a = await createTenant("a");
    const b = await createTenant("b");
    await ingest(a, "Harbour", sampleDoc("kestrel-bay-harbour-notes.md"));
    await ingest(b, "Sourdough", sampleDoc("sourdough-starter.txt"));
    const res = await api("/api/retrieve", { method: "POST", key: b.key, json: { query: "harbour tide moorings boats", top_k: 100 } });
    expect(res.body.data.length).toBeGreaterThan(0);
    for (const hit of res.body.data) expect(hit.title).toBe("Sourdough");
  });

  it("retries the ingest message with backoff when the embedding provider rate-limits, then finishes", async () => {
    const t = await createTenant();
    const run = uniqueRun("ingest429");
    await configureRun(run, { faults: { seed: 1, rate_429: 1 } });
    const res = await api("/api/documents", { method: "POST", key: t.key, json: { title: "S", text: sampleDoc("sourdough-starter.txt") } });
    const id = res.body.document.id;
    const limited = await ingestNow(t.id, id, 1, `${run}:1`);
    expect(limited.retryMessages).toHaveLength(1);
    expect((await api(`/api/documents/${id}`, { key: t.key })).body.status).toBe("processing");
    await configureRun(run, {});
    const ok = await ingestNow(t.id, id, 2, `${run}:2`);
    expect(ok.explicitAcks).toHaveLength(1);
    expect((await api(`/api/documents/${id}`, { key: t.key })).body.status).toBe("ready");
  });

  it("fails the document on its last attempt with the provider's error, and logs the cause with the request id", async () => {
    const t = await createTenant();
    const run = uniqueRun("ingest-last");
    await configureRun(run, { faults: { seed: 1, rate_429: 1 } });
    const res = await api("/api/documents", { method: "POST", key: t.key, json: { title: "S", text: sampleDoc("sourdough-starter.txt") } });
    const id = res.body.document.id;
    const log = watchConsole();
    const last = await ingestNow(t.id, id, MAX_INGEST_ATTEMPTS, `${run}:last`);
    expect(last.retryMessages).toHaveLength(0);
    expect(last.explicitAcks).toHaveLength(1);
    const doc = await api(`/api/documents/${id}`, { key: t.key });
    expect(doc.body.status).toBe("failed");
    expect(doc.body.error.code).toBe("rate_limited");
    expect(doc.body.error.message).toContain(`failed ${MAX_INGEST_ATTEMPTS} times; the last error:`);
    expect(doc.body.error.message).toContain(`${run}:last`);
    expect(doc.body.error.message).not.toMatch(/repeated provider failures/);
    const line = log().find((l) => l.text.includes('"document failed"') && l.text.includes(id));
    expect(line?.text).toContain(`"request_id":"${run}:last"`);
    expect(line?.text).toMatch(/"cause":"rate_limited: [^"]+"/);
  });

  it("names the cause when the message reaches the dead-letter queue: every attempt was stopped, so split the document", async () => {
    const t = await createTenant();
    const res = await api("/api/documents", { method: "POST", key: t.key, json: { title: "S", text: "Something to ingest." } });
    const id = res.body.document.id;
    const { deliver } = await import("../helpers/queues");
    const log = watchConsole();
    await deliver("distillery-ingest-dlq", [{ type: "ingest.document", tenant_id: t.id, document_id: id, request_id: "req-dlq" }], 6);
    const doc = await api(`/api/documents/${id}`, { key: t.key });
    expect(doc.body.status).toBe("failed");
    expect(doc.body.error.code).toBe("interrupted");
    expect(doc.body.error.message).toMatch(/stopped before it finished on each of 6 attempts/);
    expect(doc.body.error.message).toMatch(/Split it into smaller documents/);
    expect(doc.body.error.message).toContain("req-dlq");
    expect(doc.body.error.message).not.toMatch(/provider failures/);
    expect(log().some((l) => l.text.includes('"document failed"') && l.text.includes('"request_id":"req-dlq"') && l.text.includes('"cause"'))).toBe(true);
  });
});
