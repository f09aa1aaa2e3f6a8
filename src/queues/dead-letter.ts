import type { Bindings } from "../env";
import { ApiError } from "../errors";
import { failDocument } from "../ingest/pipeline";
import { logLine } from "../lib/log";
import { settle } from "../datasets/steps";
import { tenantStub } from "../durable/tenant";
import { recordGivenUp } from "./label";
import { ingestMessageSchema, labelQueueMessageSchema } from "./messages";

/**
 * Messages that used up their retries: the thing they were for is recorded as
 * failed (with why), then the message is acknowledged. Nothing is dropped silently.
 */
export async function consumeDeadLetters(batch: MessageBatch<unknown>, env: Bindings): Promise<void> {
  for (const msg of batch.messages) {
    const body = msg.body as { tenant_id?: string; request_id?: string; type?: string } | null;
    logLine("error", "dead letter", {
      queue: batch.queue,
      message_id: msg.id,
      attempts: msg.attempts,
      type: body?.type,
      tenant: body?.tenant_id,
      request_id: body?.request_id,
    });
    const label = labelQueueMessageSchema.safeParse(body);
    if (label.success) {
      const m = label.data;
      const id = m.type === "dataset.generate" ? m.chunk_id : m.question_id;
      const last = await tenantStub(env, m.tenant_id).lastError(m.dataset_id, id);
      await recordGivenUp(env, m, `gave_up: ${last ?? "repeated provider failures"}`);
      await settle(env, m.tenant_id, m.dataset_id);
    }
    const ingest = ingestMessageSchema.safeParse(body);
    if (ingest.success) {
      const reason = new ApiError("upstream_unavailable", "Ingestion gave up after repeated provider failures; upload the document again.");
      await failDocument(env, ingest.data.tenant_id, ingest.data.document_id, reason);
    }
    msg.ack();
  }
}
