import { tenantStub } from "../durable/tenant";
import type { Bindings } from "../env";
import { toApiError } from "../errors";
import { failedOutcome, runGenerate, runLabel, settle } from "../datasets/steps";
import { logLine } from "../lib/log";
import { labelQueueMessageSchema, type LabelQueueMessage } from "./messages";
import { retryLater } from "./retry";

/**
 * Attempts per question (or chunk) before it is given up: counted by us, not by the
 * queue, because the queue's count also includes retries that were not failures.
 */
export const MAX_LABEL_ATTEMPTS = 12;

/** Records a final failure of a step on its row or task. */
export async function recordGivenUp(env: Bindings, m: LabelQueueMessage, reason: string): Promise<void> {
  const stub = tenantStub(env, m.tenant_id);
  if (m.type === "dataset.generate") await stub.failGenTask(m.dataset_id, m.chunk_id, reason);
  else await stub.completeLabel(m.question_id, failedOutcome(reason));
}

/**
 * The `label` consumer: question generation per chunk and labeling per question.
 * Rate limits and outages are normal: the step retries with the provider's
 * Retry-After (else backoff with jitter); after MAX_LABEL_ATTEMPTS it goes to the
 * dead-letter queue, whose consumer records it failed. Final errors fail it now.
 */
export async function consumeLabel(batch: MessageBatch<unknown>, env: Bindings): Promise<void> {
  for (const msg of batch.messages) {
    const parsed = labelQueueMessageSchema.safeParse(msg.body);
    if (!parsed.success) {
      logLine("error", "malformed label message", { message_id: msg.id });
      msg.ack();
      continue;
    }
    const m = parsed.data;
    try {
      if (m.type === "dataset.generate") await runGenerate(env, m);
      else await runLabel(env, m);
      msg.ack();
    } catch (e) {
      const err = toApiError(e);
      const stub = tenantStub(env, m.tenant_id);
      const what = `${err.code}: ${err.message}`;
      if (!err.retryable) {
        await recordGivenUp(env, m, `error: ${what}`);
        msg.ack();
      } else {
        const attempts =
          m.type === "dataset.generate"
            ? await stub.recordGenAttempt(m.dataset_id, m.chunk_id, what)
            : await stub.recordAttempt(m.question_id, what);
        if (attempts >= MAX_LABEL_ATTEMPTS) {
          await env.LABEL_DLQ.send(m);
          msg.ack();
        } else {
          const delay = retryLater(msg, err);
          logLine("warn", "label retry", { tenant: m.tenant_id, dataset: m.dataset_id, attempt: attempts, delay_s: delay, code: err.code, request_id: m.request_id });
        }
      }
    }
    await settle(env, m.tenant_id, m.dataset_id);
  }
}
