import { describe, expect, it } from "vitest";
import { ExactIndex } from "../../src/vector/exact-index";
import { bruteForce, ids, randomVector, rng } from "./helpers";

describe("ExactIndex", () => {
  it("stays exact through a random mix of inserts, replaces and deletes", () => {
    const index = new ExactIndex();
    const model = new Map<string, number[]>();
    const next = rng(601);
    for (let step = 0; step < 3000; step++) {
      const id = `v${Math.floor(next() * 400)}`;
      if (next() < 0.3) {
        expect(index.delete(id)).toBe(model.delete(id));
      } else {
        const values = randomVector(next, 5);
        index.set(id, Float32Array.from(values), { document_id: "d" });
        model.set(id, values);
      }
      expect(index.size).toBe(model.size);
    }
    const records = [...model].map(([id, values]) => ({ id, values, metadata: { document_id: "d" } }));
    const query = randomVector(next, 5);
    expect(ids(index.query(Float32Array.from(query), 100))).toEqual(ids(bruteForce(records, query, 100)));
  });

  it("lists a document's ids and grows past its first capacity", () => {
    const index = new ExactIndex();
    for (let i = 0; i < 40; i++) index.set(`v${i}`, Float32Array.of(1, i), { document_id: i % 2 ? "odd" : "even" });
    expect(index.idsOfDocument("odd")).toHaveLength(20);
    expect(index.dimensions).toBe(2);
    expect(index.query(Float32Array.of(0, 1), 1)[0]!.id).toBe("v39");
  });
});

describe("ExactIndex storage", () => {
  it("grows by pages, never copying what it holds into an array twice the size, and ranks the same across pages and deletes", () => {
    const index = new ExactIndex();
    const next = rng(11);
    const dims = 8;
    const records = Array.from({ length: 1100 }, (_, i) => ({ id: `v${String(i).padStart(4, "0")}`, values: randomVector(next, dims), metadata: { document_id: "d" } }));
    for (const r of records) {
      index.set(r.id, Float32Array.from(r.values), r.metadata);
      // Was capacity doubling: 1,100 vectors held 2,048 slots (and each growth copied them all).
      expect(index.allocatedBytes).toBeLessThanOrEqual((index.size + 256) * dims * 4);
    }
    // Deletes across page boundaries move the last slot into the hole and release emptied pages.
    const kept = records.filter((_, i) => i % 3 !== 0);
    for (const [i, r] of records.entries()) if (i % 3 === 0) index.delete(r.id);
    expect(index.size).toBe(kept.length);
    expect(index.allocatedBytes).toBeLessThanOrEqual((index.size + 256) * dims * 4);
    const query = randomVector(next, dims);
    const want = bruteForce(kept.map((r) => ({ ...r, metadata: { document_id: "d" } })), query, 50);
    expect(ids(index.query(Float32Array.from(query), 50))).toEqual(ids(want));
  });
});
