import type { ApiError } from "../errors";
import { retryDelayMs } from "../llm";

/**
 * Deliveries of an ingest message: the first and wrangler.jsonc's `max_retries` (5) more. The
 * consumer fails the document itself on the last one, with the error it saw; the dead-letter
 * queue only sees deliveries that ended with no error caught (the invocation was stopped).
 */
export const MAX_INGEST_ATTEMPTS = 6;

/** Queues accept a retry delay of up to 24 h; we cap ours at 15 min. */
const MAX_DELAY_SECONDS = 15 * 60;

/**
 * Retries a message later, honouring the provider's Retry-After when it gave one,
 * else exponential backoff with jitter, at most `maxSeconds`. Every retry counts towards the queue's
 * `max_retries`; past it the message goes to the dead-letter queue, whose consumer
 * records the failure.
 */
export function retryLater(msg: Message<unknown>, err: ApiError, maxSeconds = MAX_DELAY_SECONDS): number {
  const delaySeconds = Math.min(maxSeconds, MAX_DELAY_SECONDS, Math.max(1, Math.ceil(retryDelayMs(err, msg.attempts) / 1000)));
  msg.retry({ delaySeconds });
  return delaySeconds;
}
