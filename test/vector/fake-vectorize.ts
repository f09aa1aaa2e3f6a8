/**
 * A stand-in for a Vectorize binding (Vectorize has no local simulation). It keeps
 * vectors in memory, answers queries exactly (cosine, so tests can check results),
 * records every call, and throws where the real binding would, with Vectorize's
 * message shape "VECTOR_<OP>_ERROR (code = N): …". Codes 40006 (dimensions), 40025
 * (topK) and 40026 (request parse) are the real ones; the others are placeholders
 * in the same client-error range.
 *
 * Modelled behaviour (developers.cloudflare.com/vectorize, late 2026):
 * - ids are unique across the whole index; a vector's namespace is a property,
 *   so an upsert of an existing id moves it to the new namespace;
 * - ≤ 1,000 vectors per upsert/insert; id and namespace ≤ 64 bytes; metadata
 *   ≤ 10 KiB as JSON; dimensions fixed by the index (≤ 1,536);
 * - topK ≤ 100, or ≤ 20 with returnValues or returnMetadata "all"; returnMetadata
 *   is "none" | "indexed" | "all" (the v2 service rejects booleans);
 * - filters: $eq $ne $in $nin $lt $lte $gt $gte, implicit AND, JSON < 2,048 bytes,
 *   applied only to properties with a metadata index (others match nothing),
 *   indexed strings compared on their first 64 bytes;
 * - "indexed" returns only indexed properties; no delete by filter (no such method).
 * Writes are visible at once here; the real service takes a few seconds.
 */
type Scalar = string | number | boolean;
type IndexType = "string" | "number" | "boolean";
interface Stored {
  id: string;
  values: Float32Array;
  namespace?: string;
  metadata: Record<string, VectorizeVectorMetadata>;
}

export interface FakeCall {
  method: "describe" | "query" | "insert" | "upsert" | "deleteByIds" | "getByIds";
  args: unknown[];
  error?: string;
}

export interface FakeVectorizeOptions {
  dimensions: number;
  /** Properties with a metadata index, as `wrangler vectorize create-metadata-index` made them. */
  metadataIndexes?: Record<string, IndexType>;
}

/** What the project's deployment creates (see src/vector/README.md). */
export const PRODUCTION_METADATA_INDEXES: Record<string, IndexType> = {
  document_id: "string",
  vector_id: "string",
  chunk_index: "number",
  page: "number",
};

const OPERATORS = new Set(["$eq", "$ne", "$in", "$nin", "$lt", "$lte", "$gt", "$gte"]);
const bytes = (s: string) => new TextEncoder().encode(s).byteLength;

/** An in-memory Vectorize binding that enforces the documented limits. */
export class FakeVectorize implements VectorizeIndex {
  readonly calls: FakeCall[] = [];
  readonly dimensions: number;
  readonly metadataIndexes: Record<string, IndexType>;
  private readonly vectors = new Map<string, Stored>();

  constructor(options: FakeVectorizeOptions) {
    if (options.dimensions < 1 || options.dimensions > 1536) throw new Error("dimensions must be 1…1536");
    this.dimensions = options.dimensions;
    this.metadataIndexes = options.metadataIndexes ?? PRODUCTION_METADATA_INDEXES;
  }

  /** The calls made to one method. */
  callsTo(method: FakeCall["method"]): FakeCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Every stored vector, for assertions. */
  stored(): Stored[] {
    return [...this.vectors.values()];
  }

  async describe(): Promise<VectorizeIndexDetails> {
    return this.record("describe", [], () => ({
      id: "fake",
      name: "fake",
      config: { dimensions: this.dimensions, metric: "cosine" },
      vectorsCount: this.vectors.size,
    }));
  }

  async query(vector: VectorFloatArray | number[], options: VectorizeQueryOptions = {}): Promise<VectorizeMatches> {
    return this.record("query", [vector, options], () => {
      const fail = (code: number, msg: string) => new Error(`VECTOR_QUERY_ERROR (code = ${code}): ${msg}`);
      if (vector.length !== this.dimensions) {
        throw fail(40006, `invalid query vector, expected ${this.dimensions} dimensions, and got ${vector.length} dimensions`);
      }
      const level = options.returnMetadata ?? "none";
      if (typeof level === "boolean" || !["none", "indexed", "all"].includes(level)) {
        throw fail(40026, "Failed to parse the request body as JSON: returnMetadata: expected value");
      }
      const topK = options.topK ?? 5;
      const max = options.returnValues || level === "all" ? 20 : 100;
      if (!Number.isInteger(topK) || topK < 1 || topK > max) {
        throw fail(40025, `with returnValues=${!!options.returnValues} and returnMetadata=${level}, max top K is ${max}, but got ${topK}`);
      }
      if (options.namespace !== undefined && bytes(options.namespace) > 64) throw fail(40021, "namespace longer than 64 bytes");
      if (options.filter !== undefined) this.checkFilter(options.filter, fail);

      const q = Float32Array.from(vector);
      const matches = this.stored()
        .filter((v) => options.namespace === undefined || v.namespace === options.namespace)
        .filter((v) => !options.filter || this.passes(v, options.filter))
        .map((v) => ({ v, score: cosine(q, v.values) }))
        .sort((a, b) => b.score - a.score)
        .slice(0, topK)
        .map(({ v, score }): VectorizeMatch => ({
          id: v.id,
          score,
          ...(options.returnValues ? { values: [...v.values] } : {}),
          ...(level === "none" ? {} : { metadata: level === "all" ? { ...v.metadata } : this.indexedPart(v.metadata) }),
        }));
      return { matches, count: matches.length };
    });
  }

  async insert(vectors: VectorizeVector[]): Promise<VectorizeVectorMutation> {
    return this.record("insert", [vectors], () => this.write("INSERT", vectors, false));
  }

  async upsert(vectors: VectorizeVector[]): Promise<VectorizeVectorMutation> {
    return this.record("upsert", [vectors], () => this.write("UPSERT", vectors, true));
  }

  async deleteByIds(ids: string[]): Promise<VectorizeVectorMutation> {
    return this.record("deleteByIds", [ids], () => {
      for (const id of ids) if (bytes(id) > 64) throw new Error(`VECTOR_DELETE_ERROR (code = 40008): id longer than 64 bytes`);
      const deleted = ids.filter((id) => this.vectors.delete(id));
      return { ids: deleted, count: deleted.length };
    });
  }

  async getByIds(ids: string[]): Promise<VectorizeVector[]> {
    return this.record("getByIds", [ids], () =>
      ids.flatMap((id) => {
        const v = this.vectors.get(id);
        return v ? [{ ...v, values: [...v.values], metadata: { ...v.metadata } }] : [];
      }),
    );
  }

  private write(op: string, vectors: VectorizeVector[], replace: boolean): VectorizeVectorMutation {
    const fail = (code: number, msg: string) => new Error(`VECTOR_${op}_ERROR (code = ${code}): ${msg}`);
    if (vectors.length === 0 || vectors.length > 1000) throw fail(40005, `batch of ${vectors.length} vectors; 1 to 1000 allowed`);
    for (const v of vectors) {
      if (!v.id || bytes(v.id) > 64) throw fail(40008, `invalid vector id "${v.id}" (1 to 64 bytes)`);
      if (v.namespace !== undefined && bytes(v.namespace) > 64) throw fail(40021, "namespace longer than 64 bytes");
      if (v.values.length !== this.dimensions) {
        throw fail(40006, `invalid vector for id="${v.id}", expected ${this.dimensions} dimensions, and got ${v.values.length} dimensions`);
      }
      if (v.metadata && bytes(JSON.stringify(v.metadata)) > 10 * 1024) throw fail(40010, `metadata of "${v.id}" over 10 KiB`);
    }
    const ids: string[] = [];
    for (const v of vectors) {
      if (!replace && this.vectors.has(v.id)) continue;
      this.vectors.set(v.id, { id: v.id, values: Float32Array.from(v.values), namespace: v.namespace, metadata: { ...v.metadata } });
      ids.push(v.id);
    }
    return { ids, count: ids.length };
  }

  private checkFilter(filter: VectorizeVectorMetadataFilter, fail: (code: number, msg: string) => Error): void {
    if (typeof filter !== "object" || filter === null || Object.keys(filter).length === 0) throw fail(40027, "filter must be a non-empty object");
    if (bytes(JSON.stringify(filter)) >= 2048) throw fail(40027, "filter JSON must be under 2048 bytes");
    for (const [key, cond] of Object.entries(filter)) {
      if (!key || key.includes(".") || key.includes('"') || key.startsWith("$") || key.length > 512) throw fail(40027, `invalid filter key "${key}"`);
      if (cond !== null && typeof cond === "object") {
        for (const op of Object.keys(cond)) if (!OPERATORS.has(op)) throw fail(40027, `unsupported filter operator ${op}`);
      }
    }
  }

  private passes(v: Stored, filter: VectorizeVectorMetadataFilter): boolean {
    return Object.entries(filter).every(([key, cond]) => {
      // Only indexed properties are filterable: a filter on any other matches nothing.
      if (!this.metadataIndexes[key]) return false;
      const raw = v.metadata[key] as Scalar | undefined;
      const actual = typeof raw === "string" ? truncate64(raw) : raw;
      const ops = cond !== null && typeof cond === "object" ? (cond as Record<string, unknown>) : { $eq: cond };
      return Object.entries(ops).every(([op, want]) => compare(op, actual, want));
    });
  }

  private indexedPart(metadata: Record<string, VectorizeVectorMetadata>): Record<string, VectorizeVectorMetadata> {
    const out: Record<string, VectorizeVectorMetadata> = {};
    for (const key of Object.keys(this.metadataIndexes)) {
      const value = metadata[key];
      if (value !== undefined) out[key] = typeof value === "string" ? truncate64(value) : value;
    }
    return out;
  }

  private record<T>(method: FakeCall["method"], args: unknown[], run: () => T): T {
    const call: FakeCall = { method, args };
    this.calls.push(call);
    try {
      return run();
    } catch (err) {
      call.error = (err as Error).message;
      throw err;
    }
  }
}

function compare(op: string, actual: Scalar | undefined, want: unknown): boolean {
  const list = (want as Scalar[]) ?? [];
  switch (op) {
    case "$eq":
      return actual === want;
    case "$ne":
      return actual !== want;
    case "$in":
      return actual !== undefined && list.includes(actual);
    case "$nin":
      return actual === undefined || !list.includes(actual);
  }
  if (actual === undefined || typeof actual !== typeof want) return false;
  const a = actual as number | string;
  const w = want as number | string;
  return op === "$lt" ? a < w : op === "$lte" ? a <= w : op === "$gt" ? a > w : a >= w;
}

function truncate64(s: string): string {
  let out = "";
  for (const ch of s) {
    if (bytes(out + ch) > 64) break;
    out += ch;
  }
  return out;
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return dot / (Math.sqrt(aa) * Math.sqrt(bb));
}
