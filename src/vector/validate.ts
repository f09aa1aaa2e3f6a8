import { validateFilter } from "./filter";
import { invalid, utf8Bytes } from "./invalid";
import { INDEXED_METADATA, VECTORIZE_LIMITS as L, VECTOR_ID_KEY, type IndexedProperty } from "./limits";
import type { MatchMetadata, MetadataFilter, QueryOptions, VectorMetadata, VectorRecord, VectorValues } from "./types";

/** A record after validation: values copied into their own Float32Array. */
export interface ValidRecord {
  id: string;
  values: Float32Array;
  metadata: VectorMetadata;
}

/** A query after validation. */
export interface ValidQuery {
  values: Float32Array;
  topK: number;
  filter?: MetadataFilter;
}

/** A tenant id doubles as the Vectorize namespace: non-empty, ≤ 64 bytes. */
export function validateTenantId(tenantId: unknown): string {
  if (typeof tenantId !== "string" || tenantId.length === 0) throw invalid("tenant_id", "must be a non-empty string");
  if (utf8Bytes(tenantId) > L.namespaceBytes) {
    throw invalid("tenant_id", `must be at most ${L.namespaceBytes} bytes (a Vectorize namespace)`);
  }
  return tenantId;
}

/** A vector id: non-empty, ≤ 64 bytes. */
export function validateId(id: unknown, path: string): string {
  if (typeof id !== "string" || id.length === 0) throw invalid(path, "must be a non-empty string");
  if (utf8Bytes(id) > L.idBytes) throw invalid(path, `must be at most ${L.idBytes} bytes`);
  return id;
}

/** A list of vector ids, de-duplicated. */
export function validateIds(ids: unknown, path = "ids"): string[] {
  if (!Array.isArray(ids)) throw invalid(path, "must be an array of vector ids");
  return [...new Set(ids.map((id, i) => validateId(id, `${path}[${i}]`)))];
}

/** Copies values into a Float32Array (how both backends store them) and checks them. */
export function toFloat32(values: unknown, path: string): Float32Array {
  if (!Array.isArray(values) && !(values instanceof Float32Array) && !(values instanceof Float64Array)) {
    throw invalid(path, "must be an array of numbers or a Float32Array");
  }
  const n = values.length;
  if (n === 0 || n > L.dimensions) throw invalid(path, `must have 1 to ${L.dimensions} dimensions, got ${n}`);
  const out = new Float32Array(n);
  let nonZero = false;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    // Checked after the Float32 rounding: 1e39 becomes Infinity, 1e-50 becomes 0.
    const f = (out[i] = typeof v === "number" ? v : NaN);
    if (!Number.isFinite(f)) throw invalid(`${path}[${i}]`, "must be a finite number (as a Float32)");
    if (f !== 0) nonZero = true;
  }
  // A zero vector has no direction: its cosine similarity with anything is undefined.
  if (!nonZero) throw invalid(path, "must not be all zeros");
  return out;
}

function validateMetadata(metadata: unknown, id: string, path: string): VectorMetadata {
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) {
    throw invalid(path, "must be an object with at least document_id");
  }
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (value === undefined) continue;
    const at = `${path}.${key}`;
    // Vectorize's rules for metadata keys ("." means nesting, "$" starts an operator).
    if (key === "" || key.includes(".") || key.includes('"') || key.startsWith("$") || key.length > L.metadataKeyChars) {
      throw invalid(at, 'keys must be non-empty, without "." or \'"\', not start with "$", and ≤ 512 characters');
    }
    if (key === VECTOR_ID_KEY) throw invalid(at, "is reserved for the index");
    if (typeof value === "number" ? !Number.isFinite(value) : typeof value !== "string" && typeof value !== "boolean") {
      throw invalid(at, "must be a string, a finite number or a boolean");
    }
    const want = INDEXED_METADATA[key as IndexedProperty] as string | undefined;
    if (want && typeof value !== want) throw invalid(at, `must be a ${want} (an indexed property)`);
    out[key] = value;
  }
  // Indexed strings are truncated to 64 bytes by Vectorize: a longer id would filter wrongly.
  validateDocumentId(out.document_id, `${path}.document_id`);
  // Counted with the id the Vectorize backend stores beside it.
  const bytes = utf8Bytes(JSON.stringify({ ...out, [VECTOR_ID_KEY]: id }));
  if (bytes > L.metadataBytes) throw invalid(path, `is ${bytes} bytes as JSON; at most ${L.metadataBytes}`);
  return out as VectorMetadata;
}

/** Validates a whole write up front, so that a bad record writes nothing. */
export function validateRecords(records: unknown): ValidRecord[] {
  if (!Array.isArray(records)) throw invalid("records", "must be an array");
  const seen = new Set<string>();
  let dims: number | undefined;
  return records.map((r: Partial<VectorRecord> | null, i) => {
    const at = `records[${i}]`;
    if (typeof r !== "object" || r === null) throw invalid(at, "must be an object");
    const id = validateId(r.id, `${at}.id`);
    if (seen.has(id)) throw invalid(`${at}.id`, `duplicates an earlier record's id "${id}"`);
    seen.add(id);
    const values = toFloat32(r.values, `${at}.values`);
    dims ??= values.length;
    if (values.length !== dims) {
      throw invalid(`${at}.values`, `has ${values.length} dimensions; this write's first record has ${dims}`);
    }
    return { id, values, metadata: validateMetadata(r.metadata, id, `${at}.metadata`) };
  });
}

/** Validates a query: values, `topK` (integer 1…100), filter. */
export function validateQuery(values: VectorValues | unknown, options: QueryOptions | unknown): ValidQuery {
  const o = (options ?? {}) as Partial<QueryOptions>;
  const topK = o.topK;
  if (typeof topK !== "number" || !Number.isInteger(topK) || topK < 1 || topK > L.topK) {
    throw invalid("topK", `must be an integer from 1 to ${L.topK}`);
  }
  const filter = validateFilter(o.filter);
  return { values: toFloat32(values, "values"), topK, ...(filter ? { filter } : {}) };
}

/** The indexed properties of a metadata object: what a query returns. */
export function pickIndexed(metadata: Partial<Record<string, unknown>>): MatchMetadata {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(INDEXED_METADATA)) {
    if (metadata[key] !== undefined) out[key] = metadata[key];
  }
  return out as MatchMetadata;
}

/** A document id as stored in metadata: non-empty, ≤ 64 bytes (Vectorize indexes only 64). */
export function validateDocumentId(documentId: unknown, path = "document_id"): string {
  if (typeof documentId !== "string" || documentId === "") throw invalid(path, "must be a non-empty string");
  if (utf8Bytes(documentId) > L.indexedStringBytes) throw invalid(path, `must be at most ${L.indexedStringBytes} bytes`);
  return documentId;
}

/** Splits a list into runs of at most `size` (API batches, SQL parameter limits). */
export function chunked<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
