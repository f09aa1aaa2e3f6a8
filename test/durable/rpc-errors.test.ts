import { describe, expect, it } from "vitest";
import { openJob } from "../../src/durable/fine-tune-job";
import { fromRpcError, remote, toRpcError } from "../../src/durable/rpc-errors";
import { openTenant } from "../../src/durable/tenant";
import { ApiError } from "../../src/errors";
import { LocalVectorIndexClient } from "../../src/vector";
import { bindings } from "../helpers/api";

const fresh = (kind: string) => `rpc-errors-${kind}-${crypto.randomUUID().slice(0, 8)}`;

/** What the caller rebuilt from an object's failure: an ApiError, with the fields that matter to callers. */
async function rejection(call: Promise<unknown>) {
  const err = await call.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  const e = err as ApiError;
  return { code: e.code, status: e.status, message: e.message, retryable: e.retryable, retryAfterMs: e.retryAfterMs, details: e.details, headers: e.headers };
}

describe("errors across a Durable Object boundary (real stubs)", () => {
  it("Tenant: a surface's ApiError arrives rebuilt, with a retryability its status would not imply", async () => {
    using tenant = openTenant(bindings, fresh("tenant"));
    await tenant.idempotency.begin("key-1", "fingerprint-a");
    // Still reserved by the first request: a 409 that is nonetheless retryable, after a second.
    expect(await rejection(tenant.idempotency.begin("key-1", "fingerprint-a"))).toMatchObject({
      code: "idempotency_conflict",
      status: 409,
      retryable: true,
      retryAfterMs: 1000,
      headers: { "Retry-After": "1" },
    });
    expect(await rejection(tenant.idempotency.begin("key-1", "fingerprint-b"))).toMatchObject({ code: "idempotency_conflict", status: 409, retryable: false });
    expect(await rejection(tenant.datasets.get("nope"))).toEqual({
      code: "not_found",
      status: 404,
      message: "No dataset nope.",
      retryable: false,
      retryAfterMs: undefined,
      details: undefined,
      headers: {},
    });
  });

  it("FineTuneJob: a failed cancel throws the ApiError (no result object to unwrap)", async () => {
    const job = openJob(bindings, fresh("job"), "ftj_missing");
    expect(await rejection(job.cancel())).toMatchObject({ code: "not_found", status: 404, message: "No such job.", retryable: false });
    expect(await job.get()).toBeNull();
  });

  it("LocalVectorIndex: the object's own check arrives with its code, status, details and retryability", async () => {
    const index = new LocalVectorIndexClient(bindings.LOCAL_VECTOR_INDEX, fresh("vectors"));
    await index.upsert([{ id: "a", values: new Float32Array([1, 0, 0]), metadata: { document_id: "d" } }]);
    // Only the object knows the index holds 3-dimension vectors.
    expect(await rejection(index.upsert([{ id: "b", values: new Float32Array([1, 0]), metadata: { document_id: "d" } }]))).toMatchObject({
      code: "validation_failed",
      status: 400,
      retryable: false,
      details: [{ path: "records[0].values", expected: 3, received: 2 }],
    });
  });

  it("rebuilds nothing from an error that carries no tag (an object's bug stays an internal error)", async () => {
    expect(fromRpcError(new Error("TypeError: x is undefined"))).toBeNull();
    expect(fromRpcError("not an error")).toBeNull();
    // A stub whose object throws a plain Error: the caller sees that Error, never an ApiError.
    const failing = remote<{ boom(): Promise<void> }>({ boom: () => Promise.reject(new TypeError("x is undefined")) });
    await expect(failing.boom()).rejects.toThrow(TypeError);
  });

  it("carries every field of a retryable upstream error through the tag", () => {
    const original = new ApiError("upstream_unavailable", "The teacher is down.", {
      details: { provider: "openai", attempt: 3 },
      retryAfterMs: 2500,
      headers: { "X-Upstream": "openai" },
    });
    const crossed = toRpcError(original) as Error;
    expect(crossed).not.toBeInstanceOf(ApiError);
    expect(crossed.message.startsWith("upstream_unavailable: The teacher is down.")).toBe(true);
    const rebuilt = fromRpcError(new Error(crossed.message))!;
    expect(rebuilt).toBeInstanceOf(ApiError);
    expect({ ...rebuilt, message: rebuilt.message }).toMatchObject({
      code: "upstream_unavailable",
      status: 503,
      message: "The teacher is down.",
      details: { provider: "openai", attempt: 3 },
      retryable: true,
      retryAfterMs: 2500,
      headers: { "X-Upstream": "openai", "Retry-After": "3" },
    });
  });
});
