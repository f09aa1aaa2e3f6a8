import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../../src/errors";
import { LocalVectorIndexClient, type MetadataFilter, type VectorRecord } from "../../src/vector";
import { bruteForce, ids, newTenant, randomRecords, randomVector, rng } from "./helpers";

const client = (tenantId = newTenant()) => new LocalVectorIndexClient(env.LOCAL_VECTOR_INDEX, tenantId);
const stubOf = (tenantId: string) => env.LOCAL_VECTOR_INDEX.get(env.LOCAL_VECTOR_INDEX.idFromName(tenantId));

async function rejection(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

describe("local index: ranking", () => {
  it("ranks exactly like a brute-force cosine over random vectors", async () => {
    const index = client();
    const next = rng(101);
    const records = randomRecords(next, 600, 24);
    await index.upsert(records);
    for (let q = 0; q < 5; q++) {
      const query = randomVector(next, 24);
      for (const topK of [1, 10, 100]) {
        const got = await index.query(query, { topK });
        const want = bruteForce(records, query, topK);
        expect(ids(got)).toEqual(ids(want));
        got.forEach((m, i) => expect(m.score).toBeCloseTo(want[i]!.score, 12));
      }
    }
  });

  it("breaks equal scores by id, whatever the insertion order", async () => {
    const index = client();
    const v = [1, 2, 3];
    await index.upsert(["m", "z", "a", "k"].map((id) => ({ id, values: v, metadata: { document_id: "d" } })));
    await index.upsert([{ id: "far", values: [-1, 0, 0], metadata: { document_id: "d" } }]);
    const got = await index.query([2, 4, 6], { topK: 5 });
    expect(ids(got)).toEqual(["a", "k", "m", "z", "far"]);
    expect(got[0]!.score).toBeCloseTo(1, 6);
  });

  it("returns only the indexed metadata (as Vectorize does with returnMetadata \"indexed\")", async () => {
    const index = client();
    await index.upsert([{ id: "x", values: [1, 0], metadata: { document_id: "d", chunk_index: 4, page: 2, source: "a.md" } }]);
    const [match] = await index.query([1, 0], { topK: 1 });
    expect(match!.metadata).toEqual({ document_id: "d", chunk_index: 4, page: 2 });
  });

  it("answers an empty index with no matches", async () => {
    expect(await client().query([1, 2], { topK: 10 })).toEqual([]);
  });
});

describe("local index: filters", () => {
  // 24 vectors: documents d0…d2, chunk_index 0…7, page 1…4 except where chunk_index is 0 (no page).
  const next = rng(202);
  const records: VectorRecord[] = Array.from({ length: 24 }, (_, i) => ({
    id: `r${String(i).padStart(2, "0")}`,
    values: randomVector(next, 6),
    metadata: {
      document_id: `d${i % 3}`,
      chunk_index: i % 8,
      ...(i % 8 === 0 ? {} : { page: 1 + (i % 4) }),
    },
  }));
  const tenant = newTenant();
  const seeded = client(tenant).upsert(records);

  const cases: [string, MetadataFilter, (m: VectorRecord["metadata"]) => boolean][] = [
    ["shorthand", { document_id: "d1" }, (m) => m.document_id === "d1"],
    ["$eq", { chunk_index: { $eq: 3 } }, (m) => m.chunk_index === 3],
    ["$ne (a missing page passes)", { page: { $ne: 2 } }, (m) => m.page !== 2],
    ["$in", { document_id: { $in: ["d0", "d2"] } }, (m) => m.document_id === "d0" || m.document_id === "d2"],
    ["$nin", { page: { $nin: [1, 2] } }, (m) => m.page === undefined || ![1, 2].includes(m.page)],
    ["$lt", { page: { $lt: 3 } }, (m) => m.page !== undefined && m.page < 3],
    ["$lte", { page: { $lte: 3 } }, (m) => m.page !== undefined && m.page <= 3],
    ["$gt", { chunk_index: { $gt: 5 } }, (m) => m.chunk_index! > 5],
    ["$gte", { chunk_index: { $gte: 5 } }, (m) => m.chunk_index! >= 5],
    ["string range", { document_id: { $gte: "d1" } }, (m) => m.document_id >= "d1"],
    [
      "implicit AND across fields and operators",
      { document_id: { $ne: "d0" }, chunk_index: { $gte: 2, $lte: 6 } },
      (m) => m.document_id !== "d0" && m.chunk_index! >= 2 && m.chunk_index! <= 6,
    ],
  ];

  it.each(cases)("applies %s", async (_name, filter, predicate) => {
    await seeded;
    const query = randomVector(rng(203), 6);
    const got = await client(tenant).query(query, { topK: 100, filter });
    const want = records.filter((r) => predicate(r.metadata));
    expect(want.length).toBeGreaterThan(0);
    expect(want.length).toBeLessThan(records.length);
    expect(ids(got)).toEqual(ids(bruteForce(want, query, 100)));
  });

  it("applies the filter before topK", async () => {
    await seeded;
    const got = await client(tenant).query(randomVector(rng(204), 6), { topK: 2, filter: { document_id: "d2" } });
    expect(got).toHaveLength(2);
    expect(got.every((m) => m.metadata.document_id === "d2")).toBe(true);
  });

  it.each([
    ["an unknown operator", { page: { $regex: "x" } }, "filter.page.$regex"],
    ["a property without a metadata index", { source: "a.md" }, "filter.source"],
    ["a value of the wrong type", { page: "2" }, "filter.page"],
    ["an empty $in", { document_id: { $in: [] } }, "filter.document_id.$in"],
    ["2 KB of JSON", { document_id: { $in: Array.from({ length: 200 }, (_, i) => `document-${i}`) } }, "filter"],
  ])("rejects %s with validation_failed", async (_name, filter, path) => {
    const err = await rejection(client().query([1, 2], { topK: 3, filter: filter as MetadataFilter }));
    expect(err.code).toBe("validation_failed");
    expect((err.details as { path: string }[])[0]!.path).toBe(path);
  });
});

describe("local index: writes and deletes", () => {
  it("upsert replaces a vector and its metadata by id", async () => {
    const tenant = newTenant();
    const index = client(tenant);
    await index.upsert([
      { id: "a", values: [1, 0, 0], metadata: { document_id: "d1", page: 1 } },
      { id: "b", values: [0, 1, 0], metadata: { document_id: "d1", page: 2 } },
    ]);
    await index.upsert([{ id: "a", values: [0, 0, 1], metadata: { document_id: "d2", page: 9 } }]);
    expect(await stubOf(tenant).count()).toBe(2);
    const [top] = await index.query([0, 0, 1], { topK: 1 });
    expect(top).toEqual({ id: "a", score: 1, metadata: { document_id: "d2", page: 9 } });
    expect(await index.query([1, 0, 0], { topK: 5, filter: { document_id: "d1" } })).toHaveLength(1);
  });

  it("writes 2,500 vectors and deletes 250 ids at once (more than SQLite's 100 bound parameters)", async () => {
    const tenant = newTenant();
    const index = client(tenant);
    const records = randomRecords(rng(301), 2500, 4);
    await index.upsert(records);
    expect(await stubOf(tenant).count()).toBe(2500);
    await index.deleteByIds([...records.slice(0, 250).map((r) => r.id), "never-stored"]);
    expect(await stubOf(tenant).count()).toBe(2250);
    const got = await index.query(records[0]!.values, { topK: 100 });
    expect(ids(got)).not.toContain(records[0]!.id);
    expect(ids(got)).toEqual(ids(bruteForce(records.slice(250), [...records[0]!.values], 100)));
  });

  it("deletes by document directly, without needing every id", async () => {
    const tenant = newTenant();
    const index = client(tenant);
    await index.upsert(randomRecords(rng(302), 130, 4, "a", "doc-a"));
    await index.upsert(randomRecords(rng(303), 5, 4, "b", "doc-b"));
    await index.upsert(randomRecords(rng(304), 3, 4, "c", "doc-c"));
    // One stray id of another document is passed too: it goes as well.
    await index.deleteByDocument("doc-a", ["a-0", "c-1"]);
    expect(await stubOf(tenant).count()).toBe(7);
    const left = await index.query([1, 1, 1, 1], { topK: 100 });
    expect(ids(left).sort()).toEqual(["b-0", "b-1", "b-2", "b-3", "b-4", "c-0", "c-2"]);
  });

  it("fixes the dimensions at the first write and says so on a mismatch", async () => {
    const tenant = newTenant();
    const index = client(tenant);
    await index.upsert(randomRecords(rng(305), 3, 4));
    const write = await rejection(index.upsert(randomRecords(rng(306), 1, 5, "w")));
    expect(write.code).toBe("validation_failed");
    expect(write.message).toMatch(/5 dimensions; this tenant's index holds 4-dimension vectors/);
    expect(write.details).toEqual([expect.objectContaining({ expected: 4, received: 5 })]);
    const read = await rejection(index.query([1, 2, 3], { topK: 1 }));
    expect(read.message).toMatch(/3 dimensions/);
    expect(await stubOf(tenant).count()).toBe(3);
  });

  it("forgets the dimensions once empty, so a new embedding model can start over", async () => {
    const tenant = newTenant();
    const index = client(tenant);
    await index.upsert(randomRecords(rng(307), 3, 4));
    await index.deleteByDocument("doc-1", []);
    expect(await stubOf(tenant).dimensions()).toBeNull();
    await index.upsert(randomRecords(rng(308), 2, 8));
    expect(await stubOf(tenant).dimensions()).toBe(8);
  });

  it.each([
    ["an id over 64 bytes", { id: "x".repeat(65) }, "records[0].id"],
    ["a zero vector", { values: [0, 0] }, "records[0].values"],
    ["a non-finite value", { values: [1, Number.NaN] }, "records[0].values[1]"],
    ["no document_id", { metadata: {} }, "records[0].metadata.document_id"],
    ["text-sized metadata", { metadata: { document_id: "d", text: "x".repeat(11_000) } }, "records[0].metadata"],
    ["a reserved key", { metadata: { document_id: "d", vector_id: "v" } }, "records[0].metadata.vector_id"],
  ])("rejects %s", async (_name, patch, path) => {
    const record = { id: "ok", values: [1, 2], metadata: { document_id: "d" }, ...patch } as VectorRecord;
    const err = await rejection(client().upsert([record]));
    expect(err.code).toBe("validation_failed");
    expect((err.details as { path: string }[])[0]!.path).toBe(path);
  });

  it("rejects two records with the same id in one write", async () => {
    const r = { id: "dup", values: [1, 2], metadata: { document_id: "d" } };
    const err = await rejection(client().upsert([r, r]));
    expect(err.message).toContain("duplicates");
  });
});

describe("local index: tenants", () => {
  it("keeps tenants apart: one object per tenant, same ids or not", async () => {
    const a = client();
    const b = client();
    const aRecords = randomRecords(rng(401), 10, 4, "c", "doc-a");
    await a.upsert(aRecords);
    await b.upsert(randomRecords(rng(402), 10, 4, "c", "doc-b"));
    const fromB = await b.query(aRecords[0]!.values, { topK: 100, filter: { document_id: "doc-a" } });
    expect(fromB).toEqual([]);
    await b.deleteByDocument("doc-a", aRecords.map((r) => r.id));
    expect(await a.query(aRecords[0]!.values, { topK: 100 })).toHaveLength(10);
  });
});

describe("local index: object calls", () => {
  it("stores an upsert in calls of at most 64 vectors of 1,536 dimensions, so none holds the isolate long", async () => {
    const calls: number[] = [];
    const stub = { upsert: async (batch: VectorRecord[]) => void calls.push(batch.length) };
    const namespace = { idFromName: (name: string) => name, get: () => stub } as unknown as typeof env.LOCAL_VECTOR_INDEX;
    const index = new LocalVectorIndexClient(namespace, newTenant());
    const next = rng(7);
    // Was one call of all 300 (Vectorize's batch is 1,000).
    await index.upsert(randomRecords(next, 300, 1536));
    expect(calls).toEqual([64, 64, 64, 64, 44]);
    calls.length = 0;
    await index.upsert(randomRecords(next, 300, 24));
    expect(calls).toEqual([300]);
  });

  it("lets a macrotask run between its calls, so requests arriving meanwhile are read", async () => {
    const events: string[] = [];
    const stub = { upsert: async (batch: VectorRecord[]) => void events.push(`upsert ${batch.length}`) };
    const namespace = { idFromName: (name: string) => name, get: () => stub } as unknown as typeof env.LOCAL_VECTOR_INDEX;
    const wait = vi.spyOn(scheduler, "wait").mockImplementation(async () => void events.push("wait"));
    try {
      await new LocalVectorIndexClient(namespace, newTenant()).upsert(randomRecords(rng(8), 150, 1536));
    } finally {
      wait.mockRestore();
    }
    // Was the three calls back to back: in dev the object answers in the same process, and workerd
    // reads its sockets only when no event is queued.
    expect(events).toEqual(["upsert 64", "wait", "upsert 64", "wait", "upsert 22"]);
  });
});
