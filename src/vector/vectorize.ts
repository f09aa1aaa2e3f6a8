import { ApiError } from "../errors";
import { VECTORIZE_LIMITS, VECTOR_ID_KEY } from "./limits";
import type { QueryOptions, VectorIndex, VectorMatch, VectorRecord, VectorValues } from "./types";
import {
  chunked,
  pickIndexed,
  validateDocumentId,
  validateIds,
  validateQuery,
  validateRecords,
  validateTenantId,
} from "./validate";

/**
 * One tenant's VectorIndex on Cloudflare Vectorize (production).
 *
 * - Namespace = tenant id, on every write and query.
 * - Ids: Vectorize ids are unique across the whole index, namespaces included, and
 *   `deleteByIds` takes no namespace. So the stored id is a hash of (tenant, id)
 *   (`vectorizeId`), and the caller's id travels in metadata under `vector_id`:
 *   another tenant's call can neither overwrite nor delete these vectors.
 * - Queries ask for `returnMetadata: "indexed"` without values, which keeps topK up
 *   to 100 ("all" or values cap it at 20). Only properties with a metadata index
 *   come back, so these must exist BEFORE vectors are written (vectors upserted
 *   earlier are not indexed for them):
 *     wrangler vectorize create-metadata-index <index> --property-name document_id --type string
 *     wrangler vectorize create-metadata-index <index> --property-name vector_id --type string
 *     wrangler vectorize create-metadata-index <index> --property-name chunk_index --type number
 *     wrangler vectorize create-metadata-index <index> --property-name page --type number
 * - Writes become queryable only after a few seconds (Vectorize applies mutations
 *   asynchronously): a document marked `ready` is written, not yet searchable.
 */
export class VectorizeVectorIndex implements VectorIndex {
  readonly tenantId: string;

  constructor(
    private readonly binding: VectorizeIndex,
    tenantId: string,
  ) {
    this.tenantId = validateTenantId(tenantId);
  }

  async upsert(records: readonly VectorRecord[]): Promise<void> {
    const valid = validateRecords(records);
    const vectors: VectorizeVector[] = await Promise.all(
      valid.map(async (r) => ({
        id: await vectorizeId(this.tenantId, r.id),
        values: r.values,
        namespace: this.tenantId,
        metadata: { ...r.metadata, [VECTOR_ID_KEY]: r.id } as Record<string, VectorizeVectorMetadata>,
      })),
    );
    for (const batch of chunked(vectors, VECTORIZE_LIMITS.upsertBatch)) {
      await boundary("upsert", () => this.binding.upsert(batch));
    }
  }

  async query(values: VectorValues, options: QueryOptions): Promise<VectorMatch[]> {
    const q = validateQuery(values, options);
    const result = await boundary("query", () =>
      this.binding.query(q.values, {
        topK: q.topK,
        namespace: this.tenantId,
        returnValues: false,
        returnMetadata: "indexed",
        // Our type allows mixing comparison and collection operators on one field; Vectorize's splits them.
        ...(q.filter ? { filter: q.filter as VectorizeVectorMetadataFilter } : {}),
      }),
    );
    const matches = result.matches.map((m): VectorMatch => {
      const id = m.metadata?.[VECTOR_ID_KEY];
      if (typeof id !== "string") {
        throw new ApiError(
          "internal",
          `Vectorize returned a match without "${VECTOR_ID_KEY}": create its metadata index (src/vector/README.md) and re-upsert.`,
          { retryable: false },
        );
      }
      return { id, score: m.score, metadata: pickIndexed(m.metadata ?? {}) };
    });
    // Vectorize answers best first; equal scores are put in id order, as the local index does.
    return matches.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async deleteByIds(ids: readonly string[]): Promise<void> {
    const hashed = await Promise.all(validateIds(ids).map((id) => vectorizeId(this.tenantId, id)));
    for (const batch of chunked(hashed, VECTORIZE_LIMITS.deleteBatch)) {
      await boundary("deleteByIds", () => this.binding.deleteByIds(batch));
    }
  }

  /** Vectorize cannot delete by filter: deletes exactly `ids`, which must be all the document's vectors. */
  async deleteByDocument(documentId: string, ids: readonly string[]): Promise<void> {
    validateDocumentId(documentId);
    await this.deleteByIds(ids);
  }
}

/** The id stored in Vectorize for a tenant's vector: base64url SHA-256 of (tenant, id), 43 bytes. */
export async function vectorizeId(tenantId: string, id: string): Promise<string> {
  // The length prefix makes the pair unambiguous: ("a", "b:c") and ("a:b", "c") hash apart.
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${tenantId.length}:${tenantId}:${id}`));
  return btoa(String.fromCharCode(...new Uint8Array(digest)))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

/**
 * Binding failures become `upstream_error`. The binding's messages read
 * "VECTOR_QUERY_ERROR (code = 40006): …"; 4xxxx codes are our request's fault
 * and will not pass on a retry, anything else may.
 */
async function boundary<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const clientFault = /\(code = 4\d{4}\)/.test(message);
    throw new ApiError("upstream_error", `Vectorize ${operation} failed: ${message}`, {
      retryable: !clientFault,
      cause: err,
    });
  }
}
