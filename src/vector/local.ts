import type { LocalVectorIndex } from "../durable/local-vector-index";
import { ApiError, ERROR_STATUS, type ErrorCode } from "../errors";
import { VECTORIZE_LIMITS } from "./limits";
import type { QueryOptions, VectorIndex, VectorMatch, VectorRecord, VectorValues } from "./types";
import { chunked, validateDocumentId, validateIds, validateQuery, validateRecords, validateTenantId } from "./validate";

/**
 * The VectorIndex of one tenant on the local index: the tenant's own
 * LocalVectorIndex Durable Object (addressed by the tenant id). Input is
 * validated here too, so a bad write fails before any batch is sent.
 */
export class LocalVectorIndexClient implements VectorIndex {
  readonly tenantId: string;
  private readonly stub: DurableObjectStub<LocalVectorIndex>;

  constructor(namespace: DurableObjectNamespace<LocalVectorIndex>, tenantId: string) {
    this.tenantId = validateTenantId(tenantId);
    this.stub = namespace.get(namespace.idFromName(this.tenantId));
  }

  async upsert(records: readonly VectorRecord[]): Promise<void> {
    const valid = validateRecords(records);
    // Same batch size as Vectorize: ≤ 6 MiB of Float32 values per RPC call.
    for (const batch of chunked(valid, VECTORIZE_LIMITS.upsertBatch)) {
      await remote(() => this.stub.upsert(batch));
    }
  }

  async query(values: VectorValues, options: QueryOptions): Promise<VectorMatch[]> {
    const q = validateQuery(values, options);
    return remote(() => this.stub.query(q.values, { topK: q.topK, ...(q.filter ? { filter: q.filter } : {}) }));
  }

  async deleteByIds(ids: readonly string[]): Promise<void> {
    const valid = validateIds(ids);
    for (const batch of chunked(valid, VECTORIZE_LIMITS.deleteBatch)) {
      await remote(() => this.stub.deleteByIds(batch));
    }
  }

  /** Deletes by the document's `document_id` directly (the local fast path), plus `ids`. */
  async deleteByDocument(documentId: string, ids: readonly string[]): Promise<void> {
    const doc = validateDocumentId(documentId);
    const [first = [], ...rest] = chunked(validateIds(ids), VECTORIZE_LIMITS.deleteBatch);
    await remote(() => this.stub.deleteByDocument(doc, first));
    for (const batch of rest) await remote(() => this.stub.deleteByIds(batch));
  }
}

/**
 * Errors cross RPC as plain `Error`s that keep their own properties (name,
 * code, details) but not their class: an ApiError thrown in the object is
 * rebuilt here, so callers see one error type whichever backend answers.
 */
async function remote<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const e = err as Partial<ApiError> | null;
    if (e?.name === "ApiError" && typeof e.code === "string" && e.code in ERROR_STATUS) {
      throw new ApiError(e.code as ErrorCode, e.message ?? e.code, {
        details: e.details,
        retryable: e.retryable,
        cause: err,
      });
    }
    throw err;
  }
}
