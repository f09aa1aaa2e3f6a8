import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { chunkStats, chunksToEmbed, markEmbedded, putChunks, type ChunkRow } from "../../src/durable/tenant/documents";
import { bindings, createTenant } from "../helpers/api";

const CHUNKS = 2_000;
const ROUND = 100;

const chunk = (doc: string, idx: number): ChunkRow => ({
  id: `${doc}:${idx}`,
  idx,
  text: `chunk ${idx} `.repeat(300), // ~3 KB: a real chunk's text, beyond a row's local payload
  start: idx * 10,
  end: idx * 10 + 9,
  page_from: null,
  page_to: null,
  tokens: 700,
});

describe("a document's ingest progress", () => {
  it("takes each round of chunks to embed by a seek, not by reading past every chunk embedded already", async () => {
    const t = await createTenant();
    const stub = bindings.TENANT.get(bindings.TENANT.idFromName(t.id));
    const reads = await runInDurableObject(stub, (_instance, state) => {
      const sql = state.storage.sql;
      putChunks(sql, "doc_a", Array.from({ length: CHUNKS }, (_, i) => chunk("doc_a", i)));
      const perRound: number[] = [];
      for (;;) {
        const work = { rowsRead: 0 };
        const next = chunksToEmbed(sql, "doc_a", ROUND, work);
        if (next.length === 0) break;
        perRound.push(work.rowsRead);
        markEmbedded(sql, next.map((c) => c.id));
      }
      return perRound;
    });
    expect(reads).toHaveLength(CHUNKS / ROUND);
    // The last round read ~ROUND rows; scanning from the first chunk, it read all 2,000.
    for (const read of reads) expect(read).toBeLessThanOrEqual(ROUND + 1);
  });

  it("counts chunks, tokens and embedded ones from the progress index alone, never the chunks' text", async () => {
    const t = await createTenant();
    const stub = bindings.TENANT.get(bindings.TENANT.idFromName(t.id));
    const { stats, plan } = await runInDurableObject(stub, (_instance, state) => {
      const sql = state.storage.sql;
      putChunks(sql, "doc_b", Array.from({ length: 50 }, (_, i) => chunk("doc_b", i)));
      markEmbedded(sql, ["doc_b:0", "doc_b:1"]);
      const plan = sql
        .exec<{ detail: string }>(
          "EXPLAIN QUERY PLAN SELECT COUNT(*), SUM(tokens), SUM(embedded) FROM chunks INDEXED BY chunks_progress WHERE document_id = ?",
          "doc_b",
        )
        .toArray()
        .map((r) => r.detail)
        .join("; ");
      return { stats: chunkStats(sql, "doc_b"), plan };
    });
    expect(stats).toEqual({ chunks: 50, tokens: 50 * 700, embedded: 2 });
    expect(plan).toMatch(/COVERING INDEX chunks_progress/);
  });

  it("marks an embedding batch embedded in one statement per 100 chunks, not one per chunk", async () => {
    const t = await createTenant();
    const stub = bindings.TENANT.get(bindings.TENANT.idFromName(t.id));
    const { statements, embedded } = await runInDurableObject(stub, (_instance, state) => {
      const sql = state.storage.sql;
      putChunks(sql, "doc_m", Array.from({ length: 300 }, (_, i) => chunk("doc_m", i)));
      let statements = 0;
      const counting = new Proxy(sql, {
        get(target, prop) {
          const value = Reflect.get(target, prop) as unknown;
          if (prop !== "exec" || typeof value !== "function") return typeof value === "function" ? value.bind(target) : value;
          return (...args: unknown[]) => {
            statements++;
            return Reflect.apply(value, target, args);
          };
        },
      });
      markEmbedded(counting, Array.from({ length: 290 }, (_, i) => `doc_m:${i}`));
      return { statements, embedded: chunkStats(sql, "doc_m").embedded };
    });
    expect(embedded).toBe(290);
    // Was 290.
    expect(statements).toBe(3);
  });
});
