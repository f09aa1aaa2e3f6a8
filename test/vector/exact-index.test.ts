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
