import { describe, expect, it } from "vitest";
import { ApiError } from "../../src/errors";
import { VectorizeVectorIndex, vectorizeId, type VectorRecord } from "../../src/vector";
import { FakeVectorize } from "./fake-vectorize";
import { bruteForce, ids, newTenant, randomRecords, randomVector, rng } from "./helpers";

const DIMS = 8;

function setup(fake = new FakeVectorize({ dimensions: DIMS })) {
  const tenantId = newTenant();
  return { fake, tenantId, index: new VectorizeVectorIndex(fake, tenantId) };
}

async function rejection(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

describe("VectorizeVectorIndex: writes", () => {
  it("upserts 2,500 vectors in three calls of at most 1,000, all in the tenant's namespace", async () => {
    const { fake, tenantId, index } = setup();
    await index.upsert(randomRecords(rng(1), 2500, DIMS));
    const calls = fake.callsTo("upsert");
    expect(calls.map((c) => (c.args[0] as VectorizeVector[]).length)).toEqual([1000, 1000, 500]);
    expect(calls.every((c) => !c.error)).toBe(true);
    expect(new Set(fake.stored().map((v) => v.namespace))).toEqual(new Set([tenantId]));
    expect(fake.stored()).toHaveLength(2500);
  });

  it("stores a per-tenant hash as the Vectorize id and the caller's id in metadata", async () => {
    const { fake, tenantId, index } = setup();
    await index.upsert([{ id: "chunk-1", values: randomVector(rng(2), DIMS), metadata: { document_id: "d1", page: 3 } }]);
    const [stored] = fake.stored();
    expect(stored!.id).toBe(await vectorizeId(tenantId, "chunk-1"));
    expect(stored!.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(stored!.metadata).toEqual({ document_id: "d1", page: 3, vector_id: "chunk-1" });
  });

  it("writes nothing when any record is invalid", async () => {
    const { fake, index } = setup();
    const records = randomRecords(rng(3), 1500, DIMS);
    records[1200] = { ...records[1200]!, id: "x".repeat(65) };
    const err = await rejection(index.upsert(records));
    expect(err.code).toBe("validation_failed");
    expect(err.message).toContain("records[1200].id");
    expect(fake.calls).toHaveLength(0);
  });

  it("turns binding failures into upstream_error, not retryable for Vectorize's 4xxxx codes", async () => {
    const { fake, index } = setup();
    const err = await rejection(index.upsert(randomRecords(rng(4), 2, DIMS + 1)));
    expect(fake.callsTo("upsert")[0]!.error).toContain("code = 40006");
    expect(err.code).toBe("upstream_error");
    expect(err.retryable).toBe(false);
  });
});

describe("VectorizeVectorIndex: queries", () => {
  it("asks for indexed metadata without values, so topK can reach 100", async () => {
    const { fake, tenantId, index } = setup();
    const records = randomRecords(rng(5), 150, DIMS);
    await index.upsert(records);
    const query = randomVector(rng(6), DIMS);
    const matches = await index.query(query, { topK: 100 });
    expect(fake.callsTo("query")[0]!.args[1]).toEqual({
      topK: 100,
      namespace: tenantId,
      returnValues: false,
      returnMetadata: "indexed",
    });
    expect(ids(matches)).toEqual(ids(bruteForce(records, query, 100)));
  });

  it("the stand-in refuses topK above 20 with returnMetadata all, as Vectorize does", async () => {
    const fake = new FakeVectorize({ dimensions: DIMS });
    await expect(fake.query(randomVector(rng(7), DIMS), { topK: 21, returnMetadata: "all" })).rejects.toThrow(/40025/);
    await expect(fake.query(randomVector(rng(7), DIMS), { topK: 21, returnValues: true })).rejects.toThrow(/40025/);
    await expect(fake.query(randomVector(rng(7), DIMS), { topK: 101, returnMetadata: "indexed" })).rejects.toThrow(/40025/);
  });

  it.each([0, 101, 2.5, -1])("rejects topK %s before calling Vectorize", async (topK) => {
    const { fake, index } = setup();
    const err = await rejection(index.query(randomVector(rng(8), DIMS), { topK }));
    expect(err.code).toBe("validation_failed");
    expect(err.message).toContain("topK");
    expect(fake.calls).toHaveLength(0);
  });

  it("returns the caller's ids and only indexed metadata, best first", async () => {
    const { index } = setup();
    const values = randomVector(rng(9), DIMS);
    await index.upsert([
      { id: "same", values, metadata: { document_id: "d1", chunk_index: 0, page: 2, source: "notes.md" } },
      { id: "other", values: randomVector(rng(10), DIMS), metadata: { document_id: "d2" } },
    ]);
    const [first, second] = await index.query(values, { topK: 2 });
    expect(first).toEqual({ id: "same", score: expect.closeTo(1, 6), metadata: { document_id: "d1", chunk_index: 0, page: 2 } });
    expect(second!.id).toBe("other");
    expect(second!.score).toBeLessThan(first!.score);
  });

  it("passes the filter through unchanged and returns only matching vectors", async () => {
    const { fake, index } = setup();
    const next = rng(11);
    const records: VectorRecord[] = Array.from({ length: 30 }, (_, i) => ({
      id: `c${i}`,
      values: randomVector(next, DIMS),
      metadata: { document_id: `d${i % 3}`, page: i % 5 },
    }));
    await index.upsert(records);
    const filter = { document_id: { $in: ["d0", "d2"] }, page: { $gte: 1, $lt: 4 } };
    const matches = await index.query(randomVector(next, DIMS), { topK: 50, filter });
    expect((fake.callsTo("query")[0]!.args[1] as VectorizeQueryOptions).filter).toEqual(filter);
    const expected = records.filter((r) => r.metadata.document_id !== "d1" && r.metadata.page! >= 1 && r.metadata.page! < 4);
    expect(ids(matches).sort()).toEqual(ids(expected).sort());
  });

  it("rejects a filter on a property without a metadata index (Vectorize would silently match nothing)", async () => {
    const { fake, index } = setup();
    const err = await rejection(index.query(randomVector(rng(12), DIMS), { topK: 5, filter: { source: "x" } }));
    expect(err.code).toBe("validation_failed");
    expect(err.message).toContain("filter.source");
    expect(fake.calls).toHaveLength(0);
  });

  it("says which metadata index is missing when matches come back without vector_id", async () => {
    const fake = new FakeVectorize({ dimensions: DIMS, metadataIndexes: { document_id: "string" } });
    const { index } = setup(fake);
    await index.upsert(randomRecords(rng(13), 3, DIMS));
    const err = await rejection(index.query(randomVector(rng(14), DIMS), { topK: 3 }));
    expect(err.message).toMatch(/vector_id.*metadata index/);
  });
});

describe("VectorizeVectorIndex: tenants", () => {
  it("keeps tenants apart: B's query never returns A's vectors, even with the same ids", async () => {
    const fake = new FakeVectorize({ dimensions: DIMS });
    const a = new VectorizeVectorIndex(fake, newTenant());
    const b = new VectorizeVectorIndex(fake, newTenant());
    const aRecords = randomRecords(rng(15), 20, DIMS, "c", "doc-a");
    await a.upsert(aRecords);
    await b.upsert(randomRecords(rng(16), 20, DIMS, "c", "doc-b"));
    expect(fake.stored()).toHaveLength(40);

    // B asks with A's exact vector: it sees only its own.
    const fromB = await b.query(aRecords[0]!.values, { topK: 100 });
    expect(fromB).toHaveLength(20);
    expect(fromB.every((m) => m.metadata.document_id === "doc-b")).toBe(true);

    // B deleting "its" c0…c19 leaves A's vectors with the same ids untouched.
    await b.deleteByIds(aRecords.map((r) => r.id));
    const fromA = await a.query(aRecords[0]!.values, { topK: 100 });
    expect(fromA).toHaveLength(20);
    expect(fromA[0]).toMatchObject({ id: "c-0", metadata: { document_id: "doc-a" } });
    expect(await b.query(aRecords[0]!.values, { topK: 100 })).toEqual([]);
  });

  it("refuses a tenant id longer than a Vectorize namespace (64 bytes)", () => {
    expect(() => new VectorizeVectorIndex(new FakeVectorize({ dimensions: DIMS }), "é".repeat(33))).toThrow(/64 bytes/);
  });
});

describe("VectorizeVectorIndex: deletes", () => {
  it("deletes by ids in batches of at most 1,000", async () => {
    const { fake, index } = setup();
    const records = randomRecords(rng(17), 2500, DIMS);
    await index.upsert(records);
    await index.deleteByIds(records.slice(0, 2400).map((r) => r.id));
    expect(fake.callsTo("deleteByIds").map((c) => (c.args[0] as string[]).length)).toEqual([1000, 1000, 400]);
    expect(fake.stored()).toHaveLength(100);
  });

  it("deletes a document by the ids it was given: Vectorize has no delete by filter", async () => {
    const { fake, index } = setup();
    await index.upsert(randomRecords(rng(18), 5, DIMS, "a", "doc-a"));
    await index.upsert(randomRecords(rng(19), 5, DIMS, "b", "doc-b"));
    expect("deleteByFilter" in fake).toBe(false);
    await index.deleteByDocument("doc-a", ["a-0", "a-1", "a-2", "a-3"]);
    const methods = fake.calls.map((c) => c.method);
    expect(methods.filter((m) => m !== "upsert")).toEqual(["deleteByIds"]);
    // Only the listed ids go: a-4 was not passed, so it stays (callers must pass every id).
    const left = await index.query(randomVector(rng(20), DIMS), { topK: 20 });
    expect(ids(left).sort()).toEqual(["a-4", "b-0", "b-1", "b-2", "b-3", "b-4"]);
  });
});
