import type { IndexedProperty } from "./limits";

/** A metadata value: small scalars only (ids, numbers, flags), never chunk text. */
export type MetadataScalar = string | number | boolean;

/**
 * What is stored beside a vector. Keep it small: ids, not text (the chunk's text
 * lives in the Tenant Durable Object and is fetched by the vector's id).
 */
export interface VectorMetadata {
  document_id: string;
  chunk_index?: number;
  page?: number;
  [key: string]: MetadataScalar | undefined;
}

/** The indexed part of the metadata: what a query returns, on either backend. */
export type MatchMetadata = Pick<VectorMetadata, IndexedProperty>;

/** Embedding values; stored as Float32 by both backends. */
export type VectorValues = readonly number[] | Float32Array;

/** One vector to write; `id` ≤ 64 bytes, unique within the tenant. */
export interface VectorRecord {
  id: string;
  values: VectorValues;
  metadata: VectorMetadata;
}

/** A value a filter compares with. */
export type FilterScalar = string | number | boolean;

/** Vectorize's filter operators; several on one field are ANDed. */
export interface FilterOperators {
  $eq?: FilterScalar;
  $ne?: FilterScalar;
  $lt?: FilterScalar;
  $lte?: FilterScalar;
  $gt?: FilterScalar;
  $gte?: FilterScalar;
  $in?: FilterScalar[];
  $nin?: FilterScalar[];
}

/** Vectorize's filter: fields ANDed; `{field: value}` is shorthand for `{field: {$eq: value}}`. */
export type MetadataFilter = Record<string, FilterScalar | FilterOperators>;

/** Query options; `topK` is 1…100 on both backends. */
export interface QueryOptions {
  topK: number;
  filter?: MetadataFilter;
}

/** A match: cosine similarity in [-1, 1], best first. */
export interface VectorMatch {
  id: string;
  score: number;
  metadata: MatchMetadata;
}

/**
 * One tenant's vector index. The tenant is fixed at construction, so no call can
 * read, overwrite or delete another tenant's vectors.
 *
 * Deleting a document: Vectorize cannot delete by filter, so callers keep the
 * vector ids they stored with the chunks and pass them to `deleteByDocument`.
 * Vectorize deletes exactly those ids; the local index also sweeps any other
 * vector tagged with that `document_id` (its fast path). Passing every id keeps
 * both backends equivalent.
 *
 * Vectorize makes writes queryable only after a few seconds: a resolved `upsert`
 * means "written", not "already searchable".
 */
export interface VectorIndex {
  readonly tenantId: string;
  /** Inserts or replaces vectors by id; all of one write share one dimension count. */
  upsert(records: readonly VectorRecord[]): Promise<void>;
  /** The `topK` most similar vectors (cosine) that pass `filter`, best first. */
  query(values: VectorValues, options: QueryOptions): Promise<VectorMatch[]>;
  /** Deletes these ids; unknown ids are ignored. */
  deleteByIds(ids: readonly string[]): Promise<void>;
  /** Deletes a document's vectors: `ids` must list all of them (see above). */
  deleteByDocument(documentId: string, ids: readonly string[]): Promise<void>;
}
