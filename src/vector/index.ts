import type { Bindings } from "../env";
import { ApiError } from "../errors";
import { LocalVectorIndexClient } from "./local";
import type { VectorIndex } from "./types";
import { VectorizeVectorIndex } from "./vectorize";

export { INDEXED_METADATA, LOCAL_MAX_VECTOR_BYTES, VECTORIZE_LIMITS, VECTOR_ID_KEY } from "./limits";
export type { IndexedProperty } from "./limits";
export { LocalVectorIndexClient } from "./local";
export { VectorizeVectorIndex, vectorizeId } from "./vectorize";
export { validateFilter } from "./filter";
export type * from "./types";

/** The bindings that choose and back a vector index. */
export type VectorBindings = Pick<Bindings, "VECTOR_BACKEND" | "CHUNKS" | "LOCAL_VECTOR_INDEX">;

/** One tenant's vector index on the backend `VECTOR_BACKEND` names ("local" or "vectorize"). */
export function vectorIndexFor(env: VectorBindings, tenantId: string): VectorIndex {
  const backend = env.VECTOR_BACKEND as string;
  if (backend === "local") return new LocalVectorIndexClient(env.LOCAL_VECTOR_INDEX, tenantId);
  if (backend === "vectorize") {
    if (!env.CHUNKS) {
      throw new ApiError(
        "internal",
        'VECTOR_BACKEND is "vectorize" but the CHUNKS Vectorize binding is missing: it is declared only in the production environment (wrangler.jsonc env.production; deploy with --env production), so use VECTOR_BACKEND="local" elsewhere.',
        { retryable: false },
      );
    }
    return new VectorizeVectorIndex(env.CHUNKS, tenantId);
  }
  throw new ApiError("internal", `VECTOR_BACKEND must be "local" or "vectorize", not ${JSON.stringify(backend)}.`, {
    retryable: false,
  });
}
