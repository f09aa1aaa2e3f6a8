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

/** Concurrent label steps per tenant, across every consumer invocation (LABEL_CONCURRENCY). */
const DEFAULT_CONCURRENCY = 4;
/** A lease outlives the slowest step (retrieval + two chat calls at their timeouts), then lapses. */
const LEASE_TTL_MS = 5 * 60_000;
/** How long an invocation waits for a free slot before handing its messages back to the queue. */
const LEASE_WAIT_MS = 20_000;

function concurrency(env: Bindings): number {
  const n = Number(env.LABEL_CONCURRENCY);
  return Number.isInteger(n) && n > 0 ? n : DEFAULT_CONCURRENCY;
}

/** One step, with its failure handling: ack, retry later, or hand to the dead-letter queue. */
async function handle(env: Bindings, msg: Message<unknown>, m: LabelQueueMessage): Promise<void> {
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

/**
 * The `label` consumer: question generation per chunk and labeling per question.
 * Rate limits and outages are normal: a step retries with the provider's Retry-After
 * (else backoff with jitter); after MAX_LABEL_ATTEMPTS it goes to the dead-letter
 * queue, whose consumer records it failed. Final errors fail it at once. A tenant's
 * steps run at most LABEL_CONCURRENCY at a time, across invocations, by leases held
 * in its Durable Object, so one tenant cannot exhaust the shared provider quota.
 */
export async function consumeLabel(batch: MessageBatch<unknown>, env: Bindings): Promise<void> {
  const byTenant = new Map<string, { msg: Message<unknown>; m: LabelQueueMessage }[]>();
  for (const msg of batch.messages) {
    const parsed = labelQueueMessageSchema.safeParse(msg.body);
    if (!parsed.success) {
      logLine("error", "malformed label message", { message_id: msg.id });
      msg.ack();
      continue;
    }
    const list = byTenant.get(parsed.data.tenant_id) ?? [];
    list.push({ msg, m: parsed.data });
    byTenant.set(parsed.data.tenant_id, list);
  }
  for (const [tenantId, items] of byTenant) {
    const stub = tenantStub(env, tenantId);
    const max = concurrency(env);
    let waiting = items;
    const deadline = Date.now() + LEASE_WAIT_MS;
    while (waiting.length > 0) {
      const granted = new Set(await stub.acquireLeases("label", waiting.map((w) => w.msg.id), max, LEASE_TTL_MS));
      if (granted.size === 0) {
        if (Date.now() > deadline) {
          for (const w of waiting) w.msg.retry({ delaySeconds: 5 });
          break;
        }
        await scheduler.wait(250);
        continue;
      }
      const now = waiting.filter((w) => granted.has(w.msg.id));
      waiting = waiting.filter((w) => !granted.has(w.msg.id));
      await Promise.all(
        now.map(async ({ msg, m }) => {
          try {
            await handle(env, msg, m);
          } finally {
            await stub.releaseLeases("label", [msg.id]);
          }
        }),
      );
    }
  }
}
