import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { dispatchQueue } from "../../src/queues/dispatch";
import { QUEUES, type IngestMessage } from "../../src/queues/messages";
import { bindings } from "./api";

let seq = 0;

/** Delivers messages to a queue's consumer, as the platform would, and returns what it acked or retried. */
export async function deliver(queue: string, bodies: unknown[], attempts = 1) {
  const batch = createMessageBatch(
    queue,
    bodies.map((body) => ({ id: `test-${++seq}`, timestamp: new Date(), attempts, body })),
  );
  const ctx = createExecutionContext();
  await dispatchQueue(batch, bindings, ctx);
  return getQueueResult(batch, ctx);
}

/** Runs the ingest consumer for one document (what the queue does after an upload). */
export function ingestNow(tenantId: string, documentId: string, attempts = 1, requestId = "test-ingest") {
  const msg: IngestMessage = { type: "ingest.document", tenant_id: tenantId, document_id: documentId, request_id: requestId };
  return deliver(QUEUES.ingest, [msg], attempts);
}
