import { env } from "cloudflare:workers";
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { LocalVectorIndexClient } from "../../src/vector";
import { ids, newTenant, randomRecords, randomVector, rng } from "./helpers";

describe("local index: persistence", () => {
  it("answers the same after eviction: state is reloaded from SQLite", async () => {
    const tenant = newTenant();
    const stub = env.LOCAL_VECTOR_INDEX.get(env.LOCAL_VECTOR_INDEX.idFromName(tenant));
    const index = new LocalVectorIndexClient(env.LOCAL_VECTOR_INDEX, tenant);
    const next = rng(501);
    await index.upsert(randomRecords(next, 300, 16, "a", "doc-a"));
    await index.upsert(randomRecords(next, 40, 16, "b", "doc-b"));
    await index.upsert([{ id: "a-7", values: randomVector(next, 16), metadata: { document_id: "doc-a", page: 3 } }]);
    await index.deleteByIds(["a-1", "a-2"]);
    await index.deleteByDocument("doc-b", []);
    const query = randomVector(next, 16);
    const before = await index.query(query, { topK: 50, filter: { page: { $ne: 1 } } });

    await evictDurableObject(stub);

    const after = await index.query(query, { topK: 50, filter: { page: { $ne: 1 } } });
    expect(after).toEqual(before);
    expect(await stub.count()).toBe(298);
    expect(await stub.dimensions()).toBe(16);
    const [replaced] = await index.query(query, { topK: 1, filter: { page: 3 } });
    expect(replaced!.id).toBe("a-7");
  });

  it("keeps memory and SQLite in step", async () => {
    const tenant = newTenant();
    const stub = env.LOCAL_VECTOR_INDEX.get(env.LOCAL_VECTOR_INDEX.idFromName(tenant));
    const index = new LocalVectorIndexClient(env.LOCAL_VECTOR_INDEX, tenant);
    const records = randomRecords(rng(502), 120, 3);
    await index.upsert(records);
    await index.deleteByIds(records.slice(0, 105).map((r) => r.id));
    const rows = await runInDurableObject(stub, (_instance, state) =>
      state.storage.sql
        .exec<{ id: string; bytes: number }>("SELECT id, length(embedding) AS bytes FROM vectors ORDER BY id")
        .toArray(),
    );
    expect(rows.map((r) => r.id)).toEqual(ids(records.slice(105)).sort());
    expect(rows.every((r) => r.bytes === 3 * 4)).toBe(true);
    expect(await stub.count()).toBe(15);
  });
});
