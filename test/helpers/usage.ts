/**
 * The usage queue in tests: the Worker's usage messages (and captures) are taken here instead of the local queue
 * (which has no consumer in tests, see vitest.config.ts), and `flushUsage` delivers a tenant's to
 * the real consumer, as the platform would. Installed when a file imports this helper.
 */
import type { UsageQueueMessage } from "../../src/queues/messages";
import { QUEUES } from "../../src/queues/messages";
import { setUsageSender } from "../../src/usage/queue";
import { deliver } from "./queues";

const sent: UsageQueueMessage[] = [];

/** Takes the Worker's usage messages here (again, after a test set its own sender). */
export function captureUsage(): void {
  setUsageSender(async (_env, messages) => {
    sent.push(...messages);
  });
}
captureUsage();

/** The usage messages sent for a tenant and not delivered yet. */
export function pendingUsage(tenantId: string): UsageQueueMessage[] {
  return sent.filter((m) => m.tenant_id === tenantId);
}

/** Delivers a tenant's pending usage messages in one batch; answers the queue result. */
export async function flushUsage(tenantId: string) {
  const mine = pendingUsage(tenantId);
  for (const m of mine) sent.splice(sent.indexOf(m), 1);
  return deliver(QUEUES.usage, mine);
}

/** Delivers every tenant's pending usage messages in one batch (the consumer groups them per tenant). */
export async function flushAllUsage() {
  const all = sent.splice(0, sent.length);
  return all.length ? deliver(QUEUES.usage, all) : null;
}
