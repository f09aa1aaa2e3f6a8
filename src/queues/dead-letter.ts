import type { Bindings } from "../env";
import { ApiError } from "../errors";
import { failDocument } from "../ingest/pipeline";
import { logLine } from "../lib/log";
import { finalizeDataset } from "../datasets/finalize";
import { openTenant } from "../durable/tenant";
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
      using tenant = openTenant(env, label.data.tenant_id);
      // Failed with the last error it saw; it may have been its dataset's last work.
      const { finalize } = await tenant.generation.giveUp(label.data);
      if (finalize) await finalizeDataset(env, tenant, label.data.dataset_id);
    }
    const ingest = ingestMessageSchema.safeParse(body);
    if (ingest.success) {
      using tenant = openTenant(env, ingest.data.tenant_id);
      const reason = new ApiError("upstream_unavailable", "Ingestion gave up after repeated provider failures; upload the document again.");
      await failDocument(env, tenant, ingest.data.document_id, reason);
    }
    msg.ack();
  }
}
