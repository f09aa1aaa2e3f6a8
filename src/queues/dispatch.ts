import type { Bindings } from "../env";
import { logLine } from "../lib/log";
import { consumeDeadLetters } from "./dead-letter";
import { consumeEval } from "./eval";
import { consumeIngest } from "./ingest";
import { consumeLabel } from "./label";
import { QUEUES } from "./messages";
import { consumeUsage } from "./usage";

/** What a consumer does with one batch. */
export type Consumer = (batch: MessageBatch<unknown>, env: Bindings, ctx: ExecutionContext) => Promise<void>;

const CONSUMERS: Record<string, Consumer> = {
  [QUEUES.ingest]: (batch, env) => consumeIngest(batch, env),
  [QUEUES.label]: consumeLabel,
  [QUEUES.eval]: (batch, env) => consumeEval(batch, env),
  [QUEUES.usage]: (batch, env) => consumeUsage(batch, env),
};

/** One `queue()` handler for every queue, dispatched on `batch.queue`. */
export async function dispatchQueue(batch: MessageBatch<unknown>, env: Bindings, ctx: ExecutionContext): Promise<void> {
  if (batch.queue.endsWith("-dlq")) return consumeDeadLetters(batch, env);
  const consumer = CONSUMERS[batch.queue];
  if (!consumer) {
    logLine("error", "batch from an unknown queue", { queue: batch.queue });
    batch.retryAll();
    return;
  }
  return consumer(batch, env, ctx);
}
