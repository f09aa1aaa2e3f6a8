import { openTenant } from "../durable/tenant";
import type { Bindings } from "../env";
import { toApiError } from "../errors";
import { failDocument, ingestDocument } from "../ingest/pipeline";
import { logLine } from "../lib/log";
import { ingestMessageSchema } from "./messages";
import { retryLater } from "./retry";

/**
 * The `ingest` consumer: one document per message, one at a time (documents are
 * heavy). Final errors (bad content) fail the document; retryable ones (rate
 * limits, provider outages) retry with backoff until the dead-letter queue.
 */
export async function consumeIngest(batch: MessageBatch<unknown>, env: Bindings): Promise<void> {
  for (const msg of batch.messages) {
    const parsed = ingestMessageSchema.safeParse(msg.body);
    if (!parsed.success) {
      logLine("error", "malformed ingest message", { message_id: msg.id });
      msg.ack();
      continue;
    }
    const { tenant_id, document_id, request_id } = parsed.data;
    using tenant = openTenant(env, tenant_id);
    try {
      await ingestDocument(env, tenant, document_id, request_id);
      msg.ack();
    } catch (e) {
      const err = toApiError(e);
      if (err.retryable) {
        const delay = retryLater(msg, err);
        logLine("warn", "ingest retry", {
          tenant: tenant_id,
          document: document_id,
          attempt: msg.attempts,
          delay_s: delay,
          code: err.code,
          request_id,
        });
      } else {
        await failDocument(env, tenant, document_id, err);
        logLine("warn", "document failed", { tenant: tenant_id, document: document_id, code: err.code, request_id });
        msg.ack();
      }
    }
  }
}
