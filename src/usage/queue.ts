/**
 * Usage leaves the request through the usage queue: a request's calls become one message, sent
 * without waiting on the tenant's object; the consumer (src/queues/usage.ts) writes each batch to
 * each tenant's object at once. A request thus makes no object round trip for accounting, and the
 * object takes one write per batch, not one per request.
 */
// The handle alone (not the object class), so pure modules that import retrieval stay pure.
import { openTenant } from "../durable/tenant/handle";
import type { Bindings } from "../env";
import { nowIso } from "../lib/clock";
import { newId } from "../lib/ids";
import { logLine } from "../lib/log";
import type { UsageMessage, UsageQueueMessage } from "../queues/messages";
import { type CallUsage, priced } from "./record";

/** Where usage messages (and captures) go: the queue, unless a test has set its own (setUsageSender). */
export type UsageSender = (env: Pick<Bindings, "USAGE_QUEUE">, message: UsageQueueMessage) => Promise<void>;

const toQueue: UsageSender = async (env, message) => {
  await env.USAGE_QUEUE.send(message, { contentType: "json" });
};
let sender: UsageSender = toQueue;

/** Sends one message on the usage queue (or to a test's sender); throws when the queue refuses it. */
export function sendUsageMessage(env: Pick<Bindings, "USAGE_QUEUE">, message: UsageQueueMessage): Promise<void> {
  return sender(env, message);
}

/** Tests only: takes the messages instead of the queue (null: the queue again), so a test delivers them itself. */
export function setUsageSender(s: UsageSender | null): void {
  sender = s ?? toQueue;
}

/**
 * Sends one request's calls to the usage queue. Accounting must not fail the work it accounts for
 * nor be lost: when the queue refuses, the calls are written to the tenant's object directly
 * (under the same event id, so a send that did land after all is not counted twice).
 */
export async function queueUsage(
  env: Pick<Bindings, "USAGE_QUEUE" | "TENANT">,
  ctx: { tenantId: string; requestId: string },
  calls: readonly CallUsage[],
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
  try {
    await sender(env, message);
  } catch (err) {
    logLine("warn", "usage queue refused a message: writing it directly", { tenant: ctx.tenantId, request_id: ctx.requestId, error: err instanceof Error ? err.message : String(err) });
    try {
      using tenant = openTenant(env, ctx.tenantId);
      await tenant.usage.recordEvents([{ id: message.id, at: message.at, entries: message.entries }]);
    } catch (e) {
      logLine("error", "usage not recorded", { tenant: ctx.tenantId, request_id: ctx.requestId, error: e instanceof Error ? e.message : String(e) });
    }
  }
}
