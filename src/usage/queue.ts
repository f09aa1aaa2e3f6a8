/**
 * Usage leaves the request through the usage queue: a request's calls become one message, sent
 * without waiting on the tenant's object; the consumer (src/queues/usage.ts) writes each batch to
 * each tenant's object at once. A request thus makes no object round trip for accounting, and the
 * object takes one write per batch, not one per request.
 *
 * A served request (`/openai/v1`, given its `waitUntil`) does not even wait for the send: its
 * message joins the ones this isolate's other requests made in the last few milliseconds, and they
 * leave together in one `sendBatch` after the answer, the runtime keeping the work alive until it
 * is done. A send per request was the largest cost left on that path.
 */
// The handle alone (not the object class), so pure modules that import retrieval stay pure.
import { openTenant } from "../durable/tenant/handle";
import type { Bindings } from "../env";
import { nowIso } from "../lib/clock";
import { newId } from "../lib/ids";
import { logLine } from "../lib/log";
import type { UsageMessage, UsageQueueMessage } from "../queues/messages";
import { type CallUsage, priced } from "./record";

type UsageEnv = Pick<Bindings, "USAGE_QUEUE" | "TENANT">;

/** Where usage messages (and captures) go: the queue, unless a test has set its own (setUsageSender). */
export type UsageSender = (env: Pick<Bindings, "USAGE_QUEUE">, messages: UsageQueueMessage[]) => Promise<void>;

const toQueue: UsageSender = async (env, messages) => {
  if (messages.length === 1) await env.USAGE_QUEUE.send(messages[0]!, { contentType: "json" });
  else await env.USAGE_QUEUE.sendBatch(messages.map((body) => ({ body, contentType: "json" as const })));
};
let sender: UsageSender = toQueue;

/** Sends one message on the usage queue (or to a test's sender); throws when the queue refuses it. */
export function sendUsageMessage(env: Pick<Bindings, "USAGE_QUEUE">, message: UsageQueueMessage): Promise<void> {
  return sender(env, [message]);
}

/** Tests only: takes the messages instead of the queue (null: the queue again), so a test delivers them itself. */
export function setUsageSender(s: UsageSender | null): void {
  sender = s ?? toQueue;
}

/** How long a served request's usage waits in the isolate for others to leave with it. */
const LINGER_MS = 20;
/** `sendBatch` takes at most 100 messages and 256 KB: a batch is closed before either. */
const BATCH_MESSAGES = 100;
const BATCH_BYTES = 192 * 1024;

interface Batch {
  env: UsageEnv;
  messages: UsageMessage[];
  bytes: number;
  sent: Promise<void>;
}
let open: Batch | null = null;

/**
 * Sends one request's calls to the usage queue. Accounting must not fail the work it accounts for
 * nor be lost: when the queue refuses, the calls are written to the tenant's object directly
 * (under the same event id, so a send that did land after all is not counted twice).
 *
 * With `waitUntil` (a served request), the message joins this isolate's open batch and the call
 * returns at once; the batch is sent after LINGER_MS, kept alive by every request in it.
 */
export async function queueUsage(
  env: UsageEnv,
  ctx: { tenantId: string; requestId: string },
  calls: readonly CallUsage[],
  opts: { waitUntil?: (p: Promise<unknown>) => void } = {},
): Promise<void> {
  if (calls.length === 0) return;
  const message: UsageMessage = {
    type: "usage.record",
    tenant_id: ctx.tenantId,
    request_id: ctx.requestId,
    id: newId("use"),
    at: nowIso(),
    entries: calls.map(priced),
  };
  if (opts.waitUntil) return opts.waitUntil(joinBatch(env, message));
  await sendOrWrite(env, [message]);
}

/** Adds a message to the open batch (opening one if none, or if it is full); answers its send. */
function joinBatch(env: UsageEnv, message: UsageMessage): Promise<void> {
  const bytes = JSON.stringify(message).length;
  if (!open || open.messages.length >= BATCH_MESSAGES || open.bytes + bytes > BATCH_BYTES) {
    const batch: Batch = { env, messages: [], bytes: 0, sent: Promise.resolve() };
    batch.sent = new Promise<void>((resolve) => setTimeout(resolve, LINGER_MS)).then(() => {
      if (open === batch) open = null;
      return sendOrWrite(batch.env, batch.messages);
    });
    open = batch;
  }
  open.messages.push(message);
  open.bytes += bytes;
  return open.sent;
}

/** Sends messages in one go; when the queue refuses, writes each tenant's events directly. */
async function sendOrWrite(env: UsageEnv, messages: UsageMessage[]): Promise<void> {
  try {
    await sender(env, messages);
    return;
  } catch (err) {
    logLine("warn", "usage queue refused messages: writing them directly", { messages: messages.length, error: err instanceof Error ? err.message : String(err) });
  }
  const byTenant = new Map<string, UsageMessage[]>();
  for (const m of messages) byTenant.set(m.tenant_id, [...(byTenant.get(m.tenant_id) ?? []), m]);
  await Promise.all(
    [...byTenant].map(async ([tenantId, mine]) => {
      try {
        using tenant = openTenant(env, tenantId);
        await tenant.usage.recordEvents(mine.map((m) => ({ id: m.id, at: m.at, entries: m.entries })));
      } catch (e) {
        logLine("error", "usage not recorded", { tenant: tenantId, request_ids: mine.map((m) => m.request_id).join(","), error: e instanceof Error ? e.message : String(e) });
      }
    }),
  );
}
