import { matchesFilter } from "./filter";
import { invalid } from "./invalid";
import type { MatchMetadata, MetadataFilter, VectorMatch } from "./types";

/**
 * An exact in-memory cosine index: every vector in one contiguous Float32Array
 * (slot i at [i·dims, (i+1)·dims)), with ids, norms and indexed metadata beside
 * it. The local Durable Object keeps one per tenant, mirroring its SQLite table,
 * so queries never re-read storage. Deletes move the last slot into the hole.
 */
export class ExactIndex {
  private dims = 0;
  private data = new Float32Array(0);
  private norms = new Float64Array(0);
  private ids: string[] = [];
  private metas: MatchMetadata[] = [];
  private readonly slots = new Map<string, number>();

  /** Number of vectors held. */
  get size(): number {
    return this.ids.length;
  }

  /** The dimension count, fixed by the first vector while the index is non-empty. */
  get dimensions(): number | undefined {
    return this.size > 0 ? this.dims : undefined;
  }

  has(id: string): boolean {
    return this.slots.has(id);
  }

  /** Throws a clear error unless `n` matches the index's dimensions (any `n` fits an empty index). */
  checkDimensions(n: number, path: string): void {
    if (this.size > 0 && n !== this.dims) {
      throw invalid(path, `has ${n} dimensions; this tenant's index holds ${this.dims}-dimension vectors`, {
        expected: this.dims,
        received: n,
      });
    }
  }

  /** Inserts or replaces one vector. */
  set(id: string, values: Float32Array, metadata: MatchMetadata): void {
    this.checkDimensions(values.length, "values");
    if (this.size === 0) this.dims = values.length;
    let slot = this.slots.get(id);
    if (slot === undefined) {
      slot = this.size;
      this.reserve(slot + 1);
      this.ids.push(id);
      this.metas.push(metadata);
      this.slots.set(id, slot);
    } else {
      this.metas[slot] = metadata;
    }
    this.data.set(values, slot * this.dims);
    let sq = 0;
    for (let i = 0; i < values.length; i++) sq += values[i]! * values[i]!;
    this.norms[slot] = Math.sqrt(sq);
  }

  /** Removes one vector; false when the id is unknown. */
  delete(id: string): boolean {
    const slot = this.slots.get(id);
    if (slot === undefined) return false;
    const last = this.size - 1;
    if (slot !== last) {
      const moved = this.ids[last]!;
      this.data.copyWithin(slot * this.dims, last * this.dims, (last + 1) * this.dims);
      this.norms[slot] = this.norms[last]!;
      this.ids[slot] = moved;
      this.metas[slot] = this.metas[last]!;
      this.slots.set(moved, slot);
    }
    this.ids.pop();
    this.metas.pop();
    this.slots.delete(id);
    // An empty index forgets its dimensions (and its memory): the next write fixes them again.
    if (this.size === 0) this.clear();
    return true;
  }

  /** Ids of the vectors tagged with a document. */
  idsOfDocument(documentId: string): string[] {
    return this.ids.filter((_, slot) => this.metas[slot]!.document_id === documentId);
  }

  /** Exact top-K by cosine similarity among vectors passing `filter`; ties go to the smaller id. */
  query(values: Float32Array, topK: number, filter?: MetadataFilter): VectorMatch[] {
    if (this.size === 0) return [];
    this.checkDimensions(values.length, "values");
    const dims = this.dims;
    let qq = 0;
    for (let i = 0; i < dims; i++) qq += values[i]! * values[i]!;
    const qNorm = Math.sqrt(qq);

    // Best first; at most topK entries, kept sorted by insertion (topK ≤ 100).
    const best: { slot: number; score: number }[] = [];
    for (let slot = 0; slot < this.size; slot++) {
      if (filter && !matchesFilter(this.metas[slot]!, filter)) continue;
      let dot = 0;
      const base = slot * dims;
      for (let i = 0; i < dims; i++) dot += values[i]! * this.data[base + i]!;
      const score = dot / (qNorm * this.norms[slot]!);
      if (best.length === topK && !this.before(score, slot, best[topK - 1]!)) continue;
      let at = best.length;
      while (at > 0 && this.before(score, slot, best[at - 1]!)) at--;
      best.splice(at, 0, { slot, score });
      if (best.length > topK) best.pop();
    }
    return best.map(({ slot, score }) => ({ id: this.ids[slot]!, score, metadata: { ...this.metas[slot]! } }));
  }

  private before(score: number, slot: number, other: { slot: number; score: number }): boolean {
    return score > other.score || (score === other.score && this.ids[slot]! < this.ids[other.slot]!);
  }

  private reserve(count: number): void {
    const capacity = this.norms.length;
    if (count <= capacity) return;
    const next = Math.max(16, capacity * 2, count);
    const data = new Float32Array(next * this.dims);
    data.set(this.data.subarray(0, this.size * this.dims));
    const norms = new Float64Array(next);
    norms.set(this.norms.subarray(0, this.size));
    this.data = data;
    this.norms = norms;
  }

  private clear(): void {
    this.dims = 0;
    this.data = new Float32Array(0);
    this.norms = new Float64Array(0);
    this.ids = [];
    this.metas = [];
    this.slots.clear();
  }
}
