import type { VectorMetadata, VectorRecord } from "../../src/vector";

/** A seeded PRNG (mulberry32): the same vectors on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random vector with components in [-1, 1). */
export function randomVector(next: () => number, dims: number): number[] {
  return Array.from({ length: dims }, () => next() * 2 - 1);
}

/** `n` random records of one document, ids `${prefix}-${i}`. */
export function randomRecords(next: () => number, n: number, dims: number, prefix = "v", documentId = "doc-1"): VectorRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}-${i}`,
    values: randomVector(next, dims),
    metadata: { document_id: documentId, chunk_index: i } satisfies VectorMetadata,
  }));
}

/** The exact answer, computed the slow way on the Float32-rounded values both backends store. */
export function bruteForce(records: VectorRecord[], query: number[], topK: number): { id: string; score: number }[] {
  const q = Float32Array.from(query);
  return records
    .map((r) => {
      const v = Float32Array.from(r.values);
      let dot = 0;
      let qq = 0;
      let vv = 0;
      for (let i = 0; i < q.length; i++) {
        dot += q[i]! * v[i]!;
        qq += q[i]! * q[i]!;
        vv += v[i]! * v[i]!;
      }
      return { id: r.id, score: dot / (Math.sqrt(qq) * Math.sqrt(vv)) };
    })
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1))
    .slice(0, topK);
}

/** Ids of matches, in order. */
export const ids = (matches: readonly { id: string }[]) => matches.map((m) => m.id);

/** A fresh tenant id per test (storage is shared within a test file). */
export const newTenant = () => `tn_${crypto.randomUUID().slice(0, 8)}`;
