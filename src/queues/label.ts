import { openTenant, type StepRef, type TenantHandle } from "../durable/tenant";
import type { Bindings } from "../env";
import { finalizeDataset } from "../datasets/finalize";
import { runStep } from "../datasets/steps";
import { causeOf } from "../errors";
import { logLine } from "../lib/log";
import { labelQueueMessageSchema, type LabelQueueMessage } from "./messages";
import { retryLater } from "./retry";
import { withPacing } from "../llm/pace";
import { nowMs } from "../lib/clock";
import { isCaptureLabel, labelCapture } from "../serving/capture-label";

/**
 * Attempts per question (or chunk) before it is given up: counted by us, not by the
 * queue, because the queue's count also includes retries that were not failures.
 */
export const MAX_LABEL_ATTEMPTS = 12;

/**
 * Label steps one tenant may have begun at once, across every consumer invocation
 * (LABEL_CONCURRENCY): a bound on leftovers, not the pace. How many provider calls run is
 * the ProviderLimiter's decision (src/llm/pace.ts), which also keeps tenants fair.
 */
const DEFAULT_CONCURRENCY = 64;
/** A lease outlives the slowest step (retrieval + two chat calls at their timeouts), then lapses. */
const LEASE_TTL_MS = 5 * 60_000;
/** How long an invocation waits for a free slot before handing its messages back to the queue. */
const LEASE_WAIT_MS = 20_000;
/** The longest queue delay of a step whose call got a 429 (its calls then wait at the limiter). */
const PACED_RETRY_MAX_S = 2;
/** The delay of a step sent back because it waited too long for a slot. */
const WAIT_DELAY_SECONDS = 5;

function concurrency(env: Bindings): number {
  const n = Number(env.LABEL_CONCURRENCY);
  return Number.isInteger(n) && n > 0 ? n : DEFAULT_CONCURRENCY;
}

interface Item {
  msg: Message<unknown>;
  step: StepRef;
}

/** One begun step to its end: ack, retry later, or hand to the dead-letter queue. */
async function handle(env: Bindings, tenant: TenantHandle, { msg, step }: Item, start: Parameters<typeof runStep>[3]): Promise<void> {
  const failure = await runStep(env, tenant, step, start);
  const m = step.message;
  if (failure && (!failure.err.retryable || failure.attempts >= MAX_LABEL_ATTEMPTS)) {
    // Its row or task records the message; the cause (an internal error's too) is in this line.
    logLine("warn", failure.err.retryable ? "label step gave up" : "label step failed", {
      tenant: m.tenant_id,
      dataset: m.dataset_id,
      attempt: failure.attempts,
      code: failure.err.code,
      cause: causeOf(failure.err),
      request_id: m.request_id,
    });
  }
  if (!failure || !failure.err.retryable) {
    msg.ack();
  } else if (failure.attempts >= MAX_LABEL_ATTEMPTS) {
    await env.LABEL_DLQ.send(step.message);
    msg.ack();
  } else {
    // A 429 already stopped the provider key's limiter until the allowance is back, and the retry's
    // calls wait there: the queue need not hold the step for the whole Retry-After too (a step held
    // a minute is a minute added to its dataset).
    const delay = retryLater(msg, failure.err, failure.err.code === "rate_limited" ? PACED_RETRY_MAX_S : undefined);
    logLine("warn", "label retry", {
      tenant: m.tenant_id,
      dataset: m.dataset_id,
      attempt: failure.attempts,
      delay_s: delay,
      code: failure.err.code,
      cause: causeOf(failure.err),
      request_id: m.request_id,
    });
  }
}

/**
 * Waiting is not an attempt: a step still waiting for a slot goes back to the queue as a new
 * message, delayed (its body counts the waits), and the delivery is acked. A `retry()` would count
 * towards the queue's max_retries and, under a long enough backlog, dead-letter a healthy step.
 */
async function sendBack(env: Bindings, items: Item[]): Promise<void> {
  for (let i = 0; i < items.length; i += 100) {
    const chunk = items.slice(i, i + 100);
    await env.LABEL_QUEUE.sendBatch(chunk.map(({ step }) => ({ body: { ...step.message, waits: (step.message.waits ?? 0) + 1 }, delaySeconds: WAIT_DELAY_SECONDS })));
    for (const { msg } of chunk) msg.ack();
  }
}

/**
 * One tenant's messages: each round begins every waiting step in one call to the tenant's
 * object, which grants leases to as many as LABEL_CONCURRENCY allows (the rest wait for a
 * free slot, up to LEASE_WAIT_MS, then go back to the queue), then runs the granted ones.
 */
async function runTenant(env: Bindings, tenant: TenantHandle, items: Item[], leaseWaitMs: number): Promise<void> {
  const lease = { max: concurrency(env), ttlMs: LEASE_TTL_MS };
  const deadline = nowMs() + leaseWaitMs;
  let waiting = items;
  while (waiting.length > 0) {
    const starts = await tenant.generation.begin(
      waiting.map((w) => w.step),
      lease,
    );
    const busy: Item[] = [];
    const running: Promise<void>[] = [];
    starts.forEach((start, i) => {
      const item = waiting[i]!;
      if (start.state === "busy") busy.push(item);
      else if (start.state === "done") {
        item.msg.ack();
        if (start.finalize) running.push(finalizeDataset(env, tenant, item.step.message.dataset_id, item.step.message.request_id));
      } else running.push(handle(env, tenant, item, start));
    });
    if (running.length === 0) {
      if (nowMs() >= deadline) {
        await sendBack(env, busy);
        return;
      }
      await scheduler.wait(250);
    }
    await Promise.all(running);
    waiting = busy;
  }
}

/**
 * The `label` consumer: question generation per chunk and labeling per question.
 * Rate limits and outages are normal: a step retries with the provider's Retry-After
 * (else backoff with jitter); after MAX_LABEL_ATTEMPTS it goes to the dead-letter
 * queue, whose consumer records it failed. Final errors fail it at once. Provider calls go at
 * the pace the ProviderLimiter of their key allows (shared fairly between tenants); a tenant
 * has at most LABEL_CONCURRENCY steps begun at once, by leases held in its Durable Object.
 */
export function consumeLabel(batch: MessageBatch<unknown>, env: Bindings): Promise<void> {
  return consumeLabelWith(batch, env, {});
}

/** The consumer with its waits set (tests: a step that finds no slot at once is sent back). */
export async function consumeLabelWith(batch: MessageBatch<unknown>, env: Bindings, opts: { leaseWaitMs?: number }): Promise<void> {
  const byTenant = new Map<string, Item[]>();
  // Captured prompts of student-served exchanges, for the teacher to label (src/serving/capture-label.ts).
  const captures: Promise<void>[] = [];
  for (const msg of batch.messages) {
    if (isCaptureLabel(msg.body)) {
      captures.push(labelCapture(msg, env));
      continue;
    }
    const parsed = labelQueueMessageSchema.safeParse(msg.body);
    if (!parsed.success) {
      logLine("error", "malformed label message", { message_id: msg.id });
      msg.ack();
      continue;
    }
    const message: LabelQueueMessage = parsed.data;
    // Deliveries this step has taken (its queue retries and its waits sent back): a backlog's cost, for the bench.
    const deliveries = msg.attempts + (message.waits ?? 0);
    if (deliveries > 1) logLine("warn", "label redelivery", { tenant: message.tenant_id, dataset: message.dataset_id, deliveries });
    const list = byTenant.get(message.tenant_id) ?? [];
    list.push({ msg, step: { holder: msg.id, message } });
    byTenant.set(message.tenant_id, list);
  }
  // Tenants side by side: the limiter, not the order in a batch, decides who calls when.
  await Promise.all([
    ...captures,
    ...[...byTenant].map(async ([tenantId, items]) => {
      using tenant = openTenant(env, tenantId);
      await withPacing({ tenant: tenantId, limiterFor: (key) => env.PROVIDER_LIMITER.get(env.PROVIDER_LIMITER.idFromName(key)) }, () => runTenant(env, tenant, items, opts.leaseWaitMs ?? LEASE_WAIT_MS));
    }),
  ]);
}
