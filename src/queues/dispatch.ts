import type { Bindings } from "../env";
import { logLine } from "../lib/log";
import { QUEUES } from "./messages";

/** What a consumer does with one batch. */
export type Consumer = (batch: MessageBatch<unknown>, env: Bindings, ctx: ExecutionContext) => Promise<void>;

/**
 * Consumers are added by their issues (ingest, label, eval). Until then a
 * message is acknowledged and logged, so nothing loops through retries.
 */
const notYet =
  (queue: string): Consumer =>
  async (batch) => {
    for (const msg of batch.messages) {
      logLine("warn", "queue message with no consumer yet", { queue, message_id: msg.id });
      msg.ack();
    }
  };

/** Messages that gave up after their retries: recorded, then acknowledged. */
const deadLetter: Consumer = async (batch) => {
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
    msg.ack();
  }
};

const CONSUMERS: Record<string, Consumer> = {
  [QUEUES.ingest]: notYet(QUEUES.ingest),
  [QUEUES.label]: notYet(QUEUES.label),
  [QUEUES.eval]: notYet(QUEUES.eval),
};

/** One `queue()` handler for every queue, dispatched on `batch.queue`. */
export async function dispatchQueue(batch: MessageBatch<unknown>, env: Bindings, ctx: ExecutionContext): Promise<void> {
  if (batch.queue.endsWith("-dlq")) return deadLetter(batch, env, ctx);
  const consumer = CONSUMERS[batch.queue];
  if (!consumer) {
    logLine("error", "batch from an unknown queue", { queue: batch.queue });
    batch.retryAll();
    return;
  }
  return consumer(batch, env, ctx);
}
