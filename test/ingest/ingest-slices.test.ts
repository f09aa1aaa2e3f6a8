import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { openTenant } from "../../src/durable/tenant";
import type { IngestWork } from "../../src/ingest/pipeline";
import { consumeIngest } from "../../src/queues/ingest";
import { type IngestMessage, QUEUES } from "../../src/queues/messages";
import { api, bindings, createTenant } from "../helpers/api";
import { sampleDoc } from "../fixtures/samples";

let seq = 0;

/** Work knobs small enough that a sample document takes many slices and several invocations. */
function smallWork(overrides: Partial<IngestWork> = {}) {
  const counts = { yields: 0 };
  const work: IngestWork = {
    sliceChars: 2048,
    countChars: 2048,
    slicesPerInvocation: 3,
    roundsPerInvocation: 1,
    textBlockChars: 4096,
    readChars: 1 << 20,
    yieldNow: async () => {
      counts.yields++;
    },
    ...overrides,
  };
  return { work, counts };
}

/** `tenant`, with each answer of its embedding-phase calls (`ingest.pending`, `ingest.embedded`) passed to `watch`. */
function watchEmbedCalls<T extends { ingest: object }>(tenant: T, watch: (call: "pending" | "embedded", result: unknown) => void): T {
  const ingest = new Proxy(tenant.ingest, {
    get(target, prop) {
      const value = Reflect.get(target, prop) as unknown;
      if ((prop !== "embedded" && prop !== "pending") || typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        const result = await (value as (...a: unknown[]) => Promise<unknown>)(...args);
        watch(prop, result);
        return result;
      };
    },
  });
  return new Proxy(tenant, { get: (target, prop) => (prop === "ingest" ? ingest : Reflect.get(target, prop)) });
}

/** The bucket, counting the bytes of the objects read through it (an object read is a body decoded). */
function countingBucket() {
  const read = { bytes: 0, objects: 0 };
  const bucket = new Proxy(bindings.DATA, {
    get(target, prop) {
      if (prop === "get") {
        return async (...args: Parameters<R2Bucket["get"]>) => {
          const object = await target.get(...args);
          if (object && "body" in object) {
            read.bytes += object.size;
            read.objects++;
          }
          return object;
        };
      }
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { env: { ...bindings, DATA: bucket as R2Bucket }, read };
}

/** One invocation of the consumer; answers what it acked and whether it queued the document again. */
async function invoke(msg: IngestMessage, work: IngestWork, env = bindings) {
  const requeued: IngestMessage[] = [];
  const batch = createMessageBatch(QUEUES.ingest, [{ id: `slices-${++seq}`, timestamp: new Date(), attempts: 1, body: msg }]);
  const ctx = createExecutionContext();
  await consumeIngest(batch, env, work, async (m) => {
    requeued.push(m);
  });
  return { result: await getQueueResult(batch, ctx), requeued };
}

/** Runs invocations until the document is no longer queued again; answers how many it took. */
async function ingestInSlices(msg: IngestMessage, work: IngestWork): Promise<number> {
  for (let n = 1; n <= 200; n++) {
    const { result, requeued } = await invoke(msg, work);
    expect(result.explicitAcks).toHaveLength(1);
    if (requeued.length === 0) return n;
    expect(requeued).toEqual([msg]);
  }
  throw new Error("never finished");
}

async function uploadText(key: string, title: string, text: string) {
  const res = await api("/api/documents", { method: "POST", key, json: { title, text, chunk_size: 128, chunk_overlap: 16 } });
  expect(res.status).toBe(202);
  return res.body.document.id as string;
}

function message(tenantId: string, documentId: string): IngestMessage {
  return { type: "ingest.document", tenant_id: tenantId, document_id: documentId, request_id: "test-slices" };
}

async function storedChunks(tenantId: string, documentId: string, n: number) {
  using tenant = openTenant(bindings, tenantId);
  const chunks = await tenant.documents.chunks(Array.from({ length: n }, (_, i) => `${documentId}:${i}`));
  return chunks.map((c) => ({ idx: c.idx, text: c.text }));
}

const TEXT = sampleDoc("sourdough-starter.txt").repeat(10);

describe("ingest in slices", () => {
  it("splits a bounded span per slice, stops after its budget of slices and queues the document again, yielding between slices", async () => {
    const t = await createTenant();
    const id = await uploadText(t.key, "S", TEXT);
    const { work, counts } = smallWork();
    const msg = message(t.id, id);
    const first = await invoke(msg, work);
    expect(first.requeued).toEqual([msg]);
    const mid = await api(`/api/documents/${id}`, { key: t.key });
    expect(mid.body.status).toBe("processing");
    expect(counts.yields).toBe(3);

    // Every invocation does at most its budget; the whole takes several, each yielding after every slice.
    const outcomes: { slices: number; maxSliceChars: number }[] = [];
    const { ingestDocument } = await import("../../src/ingest/pipeline");
    for (;;) {
      using tenant = openTenant(bindings, t.id);
      const o = await ingestDocument(bindings, tenant, id, "test", work);
      outcomes.push(o);
      expect(o.slices).toBeLessThanOrEqual(3);
      expect(o.maxSliceChars).toBeLessThanOrEqual(2048);
      if (o.done) break;
    }
    expect(outcomes.length).toBeGreaterThan(2);
    const doc = await api(`/api/documents/${id}`, { key: t.key });
    expect(doc.body).toMatchObject({ status: "ready", error: null });
    expect(counts.yields).toBeGreaterThanOrEqual(3 + outcomes.reduce((n, o) => n + o.slices, 0));
  });

  it("counts text for embedding batches countChars at most between yields, not countChars plus a chunk", async () => {
    const t = await createTenant();
    const id = await uploadText(t.key, "E", TEXT);
    const { work } = smallWork({ slicesPerInvocation: 1000, roundsPerInvocation: 1000, sliceChars: 4096, countChars: 2048 });
    const { ingestDocument } = await import("../../src/ingest/pipeline");
    using tenant = openTenant(bindings, t.id);
    const o = await ingestDocument(bindings, tenant, id, "test", work);
    expect(o.done).toBe(true);
    // Chunks of 128 tokens (~600 characters with their title): several fill 2,048 characters (the limit, not the slice's 4,096).
    expect(o.maxCountChars).toBeGreaterThan(2048 - 1000);
    expect(o.maxCountChars).toBeLessThanOrEqual(2048);
  });

  it("gives exactly the chunks of a clean ingest when a consumer is killed mid-way and the message redelivered", async () => {
    const t = await createTenant();
    const clean = await uploadText(t.key, "clean", TEXT);
    await ingestInSlices(message(t.id, clean), smallWork().work);
    const cleanDoc = (await api(`/api/documents/${clean}`, { key: t.key })).body;

    const killed = await uploadText(t.key, "killed", TEXT);
    // The consumer dies at its fifth slice's yield (after storing it): nothing acked, nothing queued.
    let slices = 0;
    const dying = smallWork({
      slicesPerInvocation: 100,
      yieldNow: async () => {
        // Marked transient as the runtime marks a reset: an unknown error would fail the document as final.
        if (++slices === 5) throw Object.assign(new Error("killed"), { retryable: true });
      },
    }).work;
    const { result } = await invoke(message(t.id, killed), dying);
    expect(result.explicitAcks).toHaveLength(0);
    await ingestInSlices(message(t.id, killed), smallWork().work);
    const doc = (await api(`/api/documents/${killed}`, { key: t.key })).body;
    expect(doc).toMatchObject({ status: "ready", chunk_count: cleanDoc.chunk_count, token_count: cleanDoc.token_count });
    expect(await storedChunks(t.id, killed, doc.chunk_count + 5)).toEqual(await storedChunks(t.id, clean, cleanDoc.chunk_count + 5));
    const usage = await api("/api/usage", { key: t.key });
    expect(usage.status).toBe(200);
  });

  it("reads the original once: later invocations read back only the blocks of stored text their slices cover", async () => {
    const t = await createTenant();
    const text = TEXT.repeat(4);
    const id = await uploadText(t.key, "R", text);
    const bytes = new TextEncoder().encode(text).byteLength;
    const { work } = smallWork();
    const msg = message(t.id, id);
    const perInvocation: number[] = [];
    for (let n = 0; ; n++) {
      expect(n).toBeLessThan(200);
      const { env, read } = countingBucket();
      const { requeued } = await invoke(msg, work, env);
      perInvocation.push(read.bytes);
      if (requeued.length === 0) break;
    }
    expect(perInvocation.length).toBeGreaterThan(10);
    // The first reads the original (and its first block back); each later one at most the two
    // blocks a slice can straddle, and a third when its slices cross into it: ~12K, not the
    // whole document (was: every invocation read the whole original).
    expect(perInvocation[0]).toBeGreaterThanOrEqual(bytes);
    for (const b of perInvocation.slice(1)) expect(b).toBeLessThanOrEqual(3 * 4096 + 1024);
    const doc = (await api(`/api/documents/${id}`, { key: t.key })).body;
    expect(doc.status).toBe("ready");
    // Chunked, the stored text is gone.
    expect((await bindings.DATA.list({ prefix: `tenants/${t.id}/documents/${id}/text/` })).objects).toEqual([]);
  });

  it("splits text read back block by block into exactly the chunks of one read whole, across blocks cut between surrogate pairs", async () => {
    const t = await createTenant();
    // Emoji (surrogate pairs) at every offset parity, so some block boundary falls inside a pair.
    const text = Array.from({ length: 400 }, (_, i) => `Line ${i} ${"😀".repeat(i % 7)}x ${TEXT.slice(i * 37, i * 37 + 60)}`).join("\n");
    const whole = await uploadText(t.key, "whole", text);
    const blocks = await uploadText(t.key, "blocks", text);
    await ingestInSlices(message(t.id, whole), smallWork({ textBlockChars: 1 << 20, slicesPerInvocation: 1000 }).work);
    await ingestInSlices(message(t.id, blocks), smallWork({ textBlockChars: 1001 }).work);
    const a = (await api(`/api/documents/${whole}`, { key: t.key })).body;
    const b = (await api(`/api/documents/${blocks}`, { key: t.key })).body;
    expect(b).toMatchObject({ status: "ready", chunk_count: a.chunk_count, token_count: a.token_count });
    expect(await storedChunks(t.id, blocks, b.chunk_count)).toEqual(await storedChunks(t.id, whole, a.chunk_count));
  });

  it("leaves no stored text behind when the document is deleted mid-ingest, and a later delivery finds nothing to do", async () => {
    const t = await createTenant();
    const id = await uploadText(t.key, "D", TEXT);
    const msg = message(t.id, id);
    const { requeued } = await invoke(msg, smallWork().work);
    expect(requeued).toEqual([msg]);
    const prefix = `tenants/${t.id}/documents/${id}/text/`;
    expect((await bindings.DATA.list({ prefix })).objects.length).toBeGreaterThan(1);
    expect((await api(`/api/documents/${id}`, { method: "DELETE", key: t.key })).status).toBe(200);
    expect((await bindings.DATA.list({ prefix })).objects).toEqual([]);
    // An invocation that had stored it again after the delete (a race) is cleaned up by the next delivery.
    await bindings.DATA.put(`${prefix}manifest.json`, "{}");
    const again = await invoke(msg, smallWork().work);
    expect(again.requeued).toEqual([]);
    expect((await bindings.DATA.list({ prefix })).objects).toEqual([]);
  });

  it("extracts again when the stored text is half removed, and drops it when the document fails", async () => {
    const t = await createTenant();
    const id = await uploadText(t.key, "H", TEXT);
    const msg = message(t.id, id);
    await invoke(msg, smallWork().work);
    const prefix = `tenants/${t.id}/documents/${id}/text/`;
    // A block gone under its manifest: the invocation fails retryably and forgets the manifest...
    await bindings.DATA.delete(`${prefix}1`);
    const broken = await invoke(msg, smallWork({ slicesPerInvocation: 1000 }).work);
    expect(broken.result.explicitAcks).toHaveLength(0);
    expect(await bindings.DATA.head(`${prefix}manifest.json`)).toBeNull();
    // ...so the next one extracts the original again and finishes.
    await ingestInSlices(msg, smallWork().work);
    expect((await api(`/api/documents/${id}`, { key: t.key })).body.status).toBe("ready");
    expect((await bindings.DATA.list({ prefix })).objects).toEqual([]);

    const { failDocument } = await import("../../src/ingest/pipeline");
    const { ApiError } = await import("../../src/errors");
    const other = await uploadText(t.key, "F", TEXT);
    await invoke(message(t.id, other), smallWork().work);
    const otherPrefix = `tenants/${t.id}/documents/${other}/text/`;
    expect((await bindings.DATA.list({ prefix: otherPrefix })).objects.length).toBeGreaterThan(1);
    using tenant = openTenant(bindings, t.id);
    await failDocument(bindings, tenant, other, new ApiError("upstream_error", "provider down", { retryable: true }));
    expect((await bindings.DATA.list({ prefix: otherPrefix })).objects).toEqual([]);
  });

  it("reads an embedding round from the Tenant object in calls of bounded text, not the whole round in one", async () => {
    const t = await createTenant();
    const id = await uploadText(t.key, "P", TEXT);
    const { ingestDocument } = await import("../../src/ingest/pipeline");
    const perCall: number[] = [];
    using tenant = openTenant(bindings, t.id);
    // Every call that answers chunks to embed, with the text it carried.
    const recording = watchEmbedCalls(tenant, (_call, result) => {
      const rows = (result ?? []) as { text: string }[];
      perCall.push(rows.reduce((n, r) => n + r.text.length, 0));
    });
    const { work } = smallWork({ slicesPerInvocation: 1000, roundsPerInvocation: 1000, readChars: 2000 });
    const o = await ingestDocument(bindings, recording, id, "test", work);
    expect(o.done).toBe(true);
    const doc = (await api(`/api/documents/${id}`, { key: t.key })).body;
    expect(doc.status).toBe("ready");
    const read = perCall.filter((n) => n > 0);
    // Chunks of 128 tokens (~600 characters): at most 2,000 and one chunk a call. Was one call of every chunk's text.
    expect(read.reduce((a, b) => a + b, 0)).toBeGreaterThan(10_000);
    expect(Math.max(...read)).toBeLessThanOrEqual(2000 + 1000);
    expect(o.maxReadChars).toBe(Math.max(...read));
  });

  it("yields between its calls to the Tenant object while embedding, not only between rounds", async () => {
    const t = await createTenant();
    const id = await uploadText(t.key, "P", TEXT);
    const { ingestDocument } = await import("../../src/ingest/pipeline");
    const events: string[] = [];
    using tenant = openTenant(bindings, t.id);
    const recording = watchEmbedCalls(tenant, (call, result) => {
      // A read that answers nothing ends the round: what follows it is the round's own work.
      if (!(Array.isArray(result) && result.length === 0)) events.push(call);
    });
    const { work } = smallWork({ slicesPerInvocation: 1000, roundsPerInvocation: 1000, readChars: 2000, yieldNow: async () => void events.push("yield") });
    const o = await ingestDocument(bindings, recording, id, "test", work);
    expect(o.done).toBe(true);
    expect(events.filter((e) => e === "pending").length).toBeGreaterThan(3);
    // In dev the object answers in this process and workerd reads its sockets only when no event is
    // queued: calls back to back held every incoming request. Was "pending" after "pending".
    const backToBack = events.flatMap((e, i) => (e !== "yield" && events[i + 1] !== undefined && events[i + 1] !== "yield" ? [`${e} → ${events[i + 1]}`] : []));
    expect(backToBack).toEqual([]);
    expect(o.readYields).toBe(events.filter((e) => e === "pending").length);
  });
});
