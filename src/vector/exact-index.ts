import { matchesFilter } from "./filter";
import { invalid } from "./invalid";
import type { MatchMetadata, MetadataFilter, VectorMatch } from "./types";

/** Vectors per page of an ExactIndex's storage. */
const PAGE_SLOTS = 256;

/**
 * An exact in-memory cosine index: vectors in pages of 256 slots, each page one Float32Array
 * (slot i in page i >> 8, at ((i & 255)·dims)), with ids, norms and indexed metadata beside it.
 * Pages, not one array grown by doubling: growing copied every vector held into an array twice its
 * size (25 MB copied, 50 MB allocated at 4,096 vectors of 1,536 dimensions), in one call that held
 * the isolate the Worker shares with this object in dev. The local Durable Object keeps one per
 * tenant, mirroring its SQLite table, so queries never re-read storage. Deletes move the last slot
 * into the hole.
 */
export class ExactIndex {
  private dims = 0;
  private pages: Float32Array[] = [];
  private norms: number[] = [];
  private ids: string[] = [];
  private metas: MatchMetadata[] = [];
  private readonly slots = new Map<string, number>();

  /** Number of vectors held. */
  get size(): number {
    return this.ids.length;
  }

  /** Bytes of vector storage allocated: at most one page (256 vectors) beyond what it holds. */
  get allocatedBytes(): number {
    return this.pages.length * PAGE_SLOTS * this.dims * 4;
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
      if (slot >> 8 >= this.pages.length) this.pages.push(new Float32Array(PAGE_SLOTS * this.dims));
      this.ids.push(id);
      this.metas.push(metadata);
      this.slots.set(id, slot);
    } else {
      this.metas[slot] = metadata;
    }
    this.pages[slot >> 8]!.set(values, (slot & (PAGE_SLOTS - 1)) * this.dims);
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
      const from = (last & (PAGE_SLOTS - 1)) * this.dims;
      this.pages[slot >> 8]!.set(this.pages[last >> 8]!.subarray(from, from + this.dims), (slot & (PAGE_SLOTS - 1)) * this.dims);
      this.norms[slot] = this.norms[last]!;
      this.ids[slot] = moved;
      this.metas[slot] = this.metas[last]!;
      this.slots.set(moved, slot);
    }
    this.ids.pop();
    this.metas.pop();
    this.norms.pop();
    this.slots.delete(id);
    // A page emptied by the move is released.
    if (this.pages.length > Math.ceil(this.size / PAGE_SLOTS)) this.pages.pop();
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
      const page = this.pages[slot >> 8]!;
      const base = (slot & (PAGE_SLOTS - 1)) * dims;
      for (let i = 0; i < dims; i++) dot += values[i]! * page[base + i]!;
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

  private clear(): void {
    this.dims = 0;
    this.pages = [];
    this.norms = [];
    this.ids = [];
    this.metas = [];
    this.slots.clear();
  }
}
