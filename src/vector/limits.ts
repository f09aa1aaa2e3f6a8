/**
 * Vectorize's documented limits (developers.cloudflare.com/vectorize/platform/limits/
 * and …/reference/metadata-filtering/, read late 2026), in one place. The local index
 * enforces the same ones, so that what works in dev also works in production.
 */
export const VECTORIZE_LIMITS = {
  /** Vectors per `upsert`/`insert` call from a Worker (5,000 over HTTP). */
  upsertBatch: 1000,
  /** Ids per `deleteByIds` call: not in the limits table, so the upsert batch size is used. */
  deleteBatch: 1000,
  /** `topK` with `returnMetadata: "indexed" | "none"` and no values. */
  topK: 100,
  /** `topK` with `returnValues: true` or `returnMetadata: "all"`. */
  topKWithValuesOrAllMetadata: 20,
  dimensions: 1536,
  idBytes: 64,
  namespaceBytes: 64,
  metadataBytes: 10 * 1024,
  /** Compact filter JSON must be strictly less than this. */
  filterBytes: 2048,
  metadataKeyChars: 512,
  metadataIndexes: 10,
  /** String metadata indexes see only the first 64 bytes of a value. */
  indexedStringBytes: 64,
} as const;

/**
 * The metadata properties that have a Vectorize metadata index, and their types.
 * Only these can be filtered on, and only these come back from a query (the
 * Vectorize backend asks for `returnMetadata: "indexed"`, which keeps topK up to
 * 100). Each needs `wrangler vectorize create-metadata-index` BEFORE vectors are
 * written: vectors upserted earlier are not in the metadata index (see README.md).
 */
export const INDEXED_METADATA = {
  document_id: "string",
  chunk_index: "number",
  page: "number",
} as const satisfies Record<string, "string" | "number" | "boolean">;

export type IndexedProperty = keyof typeof INDEXED_METADATA;

/**
 * Metadata key under which the Vectorize backend keeps the caller's vector id
 * (Vectorize ids are index-wide, so it stores a per-tenant hash as the id; see
 * vectorize.ts). Also a metadata index, so that queries can return it. Reserved.
 */
export const VECTOR_ID_KEY = "vector_id";

/**
 * The local index keeps every vector of a tenant in one Float32Array in memory;
 * above this it refuses writes rather than exhaust the isolate's 128 MB. Local
 * is for dev, the demo and tests: ~10,900 vectors of 1,536 dimensions.
 */
export const LOCAL_MAX_VECTOR_BYTES = 64 * 1024 * 1024;
