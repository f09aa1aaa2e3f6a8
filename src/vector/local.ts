import type { LocalVectorIndex } from "../durable/local-vector-index";
import { remote, type Remote } from "../durable/rpc-errors";
import { VECTORIZE_LIMITS } from "./limits";
import type { QueryOptions, VectorIndex, VectorMatch, VectorRecord, VectorValues } from "./types";
import { chunked, validateDocumentId, validateIds, validateQuery, validateRecords, validateTenantId } from "./validate";

/** Vector values (Float32) one upsert call to the local index carries at most: 64 vectors of 1,536 dimensions. */
export const LOCAL_UPSERT_VALUES = 64 * 1536;

/**
 * The VectorIndex of one tenant on the local index: the tenant's own
 * LocalVectorIndex Durable Object (addressed by the tenant id). Input is
 * validated here too, so a bad write fails before any batch is sent. The object's
 * errors arrive as the ApiErrors it threw (src/durable/rpc-errors.ts), so callers
 * see one error type whichever backend answers.
 */
export class LocalVectorIndexClient implements VectorIndex {
  readonly tenantId: string;
  private readonly stub: Remote<LocalVectorIndex>;

  constructor(namespace: DurableObjectNamespace<LocalVectorIndex>, tenantId: string) {
    this.tenantId = validateTenantId(tenantId);
    this.stub = remote(namespace.get(namespace.idFromName(this.tenantId)));
  }

  async upsert(records: readonly VectorRecord[]): Promise<void> {
    const valid = validateRecords(records);
    // Smaller calls than Vectorize's 1,000 vectors: the object runs in the Worker's own isolate in
    // dev, and one call storing an embedding round's ~300 vectors of 1,536 dimensions (its SQL rows
    // and its in-memory index) held every other request for 25-100 ms.
    const dims = valid[0]?.values.length ?? 1;
    const size = Math.max(1, Math.min(VECTORIZE_LIMITS.upsertBatch, Math.floor(LOCAL_UPSERT_VALUES / dims)));
    for (const [i, batch] of chunked(valid, size).entries()) {
      // A macrotask between calls: the object answers in this process, and workerd reads its
      // sockets only when no event is queued, so calls back to back would hold incoming requests.
      if (i > 0) await scheduler.wait(0);
      await this.stub.upsert(batch);
    }
  }

  async query(values: VectorValues, options: QueryOptions): Promise<VectorMatch[]> {
    const q = validateQuery(values, options);
    return this.stub.query(q.values, { topK: q.topK, ...(q.filter ? { filter: q.filter } : {}) });
  }

  async deleteByIds(ids: readonly string[]): Promise<void> {
    const valid = validateIds(ids);
    for (const batch of chunked(valid, VECTORIZE_LIMITS.deleteBatch)) {
      await this.stub.deleteByIds(batch);
    }
  }

  /** Deletes by the document's `document_id` directly (the local fast path), plus `ids`. */
  async deleteByDocument(documentId: string, ids: readonly string[]): Promise<void> {
    const doc = validateDocumentId(documentId);
    const [first = [], ...rest] = chunked(validateIds(ids), VECTORIZE_LIMITS.deleteBatch);
    await this.stub.deleteByDocument(doc, first);
    for (const batch of rest) await this.stub.deleteByIds(batch);
  }
}
