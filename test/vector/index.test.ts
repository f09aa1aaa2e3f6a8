import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Bindings } from "../../src/env";
import { ApiError } from "../../src/errors";
import { LocalVectorIndexClient, VectorizeVectorIndex, vectorIndexFor } from "../../src/vector";
import { FakeVectorize } from "./fake-vectorize";

const bindings = env as Bindings;

describe("vectorIndexFor", () => {
  it("uses the local index in dev and tests (VECTOR_BACKEND=local, no CHUNKS binding)", async () => {
    expect(bindings.VECTOR_BACKEND).toBe("local");
    expect(bindings.CHUNKS).toBeUndefined();
    const index = vectorIndexFor(bindings, "tn_local");
    expect(index).toBeInstanceOf(LocalVectorIndexClient);
    expect(index.tenantId).toBe("tn_local");
    await index.upsert([{ id: "a", values: [1, 0], metadata: { document_id: "d" } }]);
    expect(await index.query([1, 0], { topK: 1 })).toEqual([{ id: "a", score: 1, metadata: { document_id: "d" } }]);
  });

  it("uses Vectorize when asked and the CHUNKS binding exists", () => {
    const index = vectorIndexFor(
      { ...bindings, VECTOR_BACKEND: "vectorize", CHUNKS: new FakeVectorize({ dimensions: 2 }) },
      "tn_prod",
    );
    expect(index).toBeInstanceOf(VectorizeVectorIndex);
  });

  it("explains that CHUNKS is declared only in the production environment", () => {
    let err: unknown;
    try {
      vectorIndexFor({ ...bindings, VECTOR_BACKEND: "vectorize" }, "tn_x");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).message).toMatch(/CHUNKS.*only in the production environment/);
    expect((err as ApiError).retryable).toBe(false);
  });

  it("rejects an unknown backend and an oversized tenant id", () => {
    expect(() => vectorIndexFor({ ...bindings, VECTOR_BACKEND: "pinecone" as never }, "tn_x")).toThrow(/"local" or "vectorize"/);
    expect(() => vectorIndexFor(bindings, "t".repeat(65))).toThrow(/64 bytes/);
  });
});
