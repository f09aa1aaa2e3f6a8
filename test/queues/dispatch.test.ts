import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { dispatchQueue } from "../../src/queues/dispatch";
import { bindings } from "../helpers/api";

describe("queue dispatch", () => {
  it("records and acknowledges dead letters", async () => {
    const batch = createMessageBatch("distillery-label-dlq", [
      { id: "m1", timestamp: new Date(), attempts: 10, body: { type: "label.question", tenant_id: "tn_x", request_id: "r" } },
    ]);
    const ctx = createExecutionContext();
    await dispatchQueue(batch, bindings, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual(["m1"]);
  });

  it("retries a batch from a queue it does not know", async () => {
    const batch = createMessageBatch("mystery", [{ id: "m2", timestamp: new Date(), attempts: 1, body: {} }]);
    const ctx = createExecutionContext();
    await dispatchQueue(batch, bindings, ctx);
    expect((await getQueueResult(batch, ctx)).retryBatch.retry).toBe(true);
  });
});
