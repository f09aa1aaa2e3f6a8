import { openTenant } from "../durable/tenant";
import type { Bindings } from "../env";
import { ApiError, causeOf, failureMessage, toApiError } from "../errors";
import { DEFAULT_INGEST_WORK, failDocument, ingestDocument, type IngestWork } from "../ingest/pipeline";
import { logLine } from "../lib/log";
import { type IngestMessage, ingestMessageSchema } from "./messages";
import { MAX_INGEST_ATTEMPTS, retryLater } from "./retry";

/**
 * The `ingest` consumer: one document per message, one at a time (documents are heavy), each
 * invocation doing a bounded share of it and queueing the document again for the rest. Final
 * errors (bad content) fail the document; retryable ones (rate limits, provider outages) retry
 * with backoff, and the last attempt fails the document with the error it saw. Every failure is
 * logged with its cause and the upload's request id; the document's error says what to do.
 */
export async function consumeIngest(
  batch: MessageBatch<unknown>,
  env: Bindings,
  work: IngestWork = DEFAULT_INGEST_WORK,
  requeue: (msg: IngestMessage) => Promise<void> = async (msg) => {
    await env.INGEST_QUEUE.send(msg);
  },
): Promise<void> {
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
      const outcome = await ingestDocument(env, tenant, document_id, request_id, work);
      // Budget spent: the rest runs in a fresh invocation (the progress is in the Tenant object).
      // Sent before the ack, so a crash in between redelivers rather than loses it.
      if (!outcome.done) await requeue(parsed.data);
      msg.ack();
    } catch (e) {
      const err = toApiError(e);
      const cause = causeOf(e);
      if (err.retryable && msg.attempts < MAX_INGEST_ATTEMPTS) {
        const delay = retryLater(msg, err);
        logLine("warn", "ingest retry", {
          tenant: tenant_id,
          document: document_id,
          attempt: msg.attempts,
          delay_s: delay,
          code: err.code,
          cause,
          request_id,
        });
      } else {
        const reason = err.retryable ? gaveUp(err, msg.attempts, request_id) : withMessage(err, failureMessage(err, request_id));
        await failDocument(env, tenant, document_id, reason);
        logLine("warn", "document failed", { tenant: tenant_id, document: document_id, attempt: msg.attempts, code: err.code, cause, request_id });
        msg.ack();
      }
    }
  }
}

/** The last attempt's error, said as the end of the retries, with what to do next. */
function gaveUp(err: ApiError, attempts: number, requestId: string): ApiError {
  const what = failureMessage(err, requestId).replace(/\.?$/, ".");
  return withMessage(err, `Ingestion failed ${attempts} times; the last error: ${what} Retry it later with POST /api/documents/{id}/retry (request id ${requestId}).`);
}

function withMessage(err: ApiError, message: string): ApiError {
  return message === err.message ? err : new ApiError(err.code, message, { cause: err.cause, details: err.details });
}
