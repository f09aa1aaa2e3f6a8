/**
 * The usage queue's consumer: each batch's usage events and captured exchanges grouped by tenant
 * and written to each tenant's object in one call (at most one object write per batch per tenant).
 * Events and captured rows carry their own ids, so a redelivered batch, or one retried after a
 * partial failure, changes nothing twice.
 */
import type { UsageEvent } from "../durable/tenant/usage";
import type { Bindings } from "../env";
import { ApiError } from "../errors";
import { logLine } from "../lib/log";
import { recordIntake } from "../serving/capture";
import { type CaptureMessage, usageQueueMessageSchema } from "./messages";
import { retryLater } from "./retry";

/** How the consumer reaches a tenant's object (tests replace it to fail a tenant's write). */
export interface UsageWriter {
  (env: Bindings, tenantId: string, events: UsageEvent[], captures: CaptureMessage[]): Promise<void>;
}

/** Consumes one batch of usage messages. */
export async function consumeUsage(batch: MessageBatch<unknown>, env: Bindings, write: UsageWriter = recordIntake): Promise<void> {
  const byTenant = new Map<string, { msgs: Message<unknown>[]; events: UsageEvent[]; captures: CaptureMessage[] }>();
  for (const msg of batch.messages) {
    const parsed = usageQueueMessageSchema.safeParse(msg.body);
    if (!parsed.success) {
      // Not retried: a malformed message would fail the same way each time.
      logLine("error", "malformed usage message dropped", { queue: batch.queue, message_id: msg.id, error: parsed.error.message });
      msg.ack();
      continue;
    }
    const m = parsed.data;
    const group = byTenant.get(m.tenant_id) ?? { msgs: [], events: [], captures: [] };
    group.msgs.push(msg);
    if (m.type === "usage.record") group.events.push({ id: m.id, at: m.at, entries: m.entries });
    else group.captures.push(m);
    byTenant.set(m.tenant_id, group);
  }
  await Promise.all(
    [...byTenant].map(async ([tenantId, { msgs, events, captures }]) => {
      try {
        await write(env, tenantId, events, captures);
        for (const msg of msgs) msg.ack();
      } catch (err) {
        const error = err instanceof ApiError ? err : new ApiError("internal", err instanceof Error ? err.message : String(err), { retryable: true });
        logLine("warn", "usage batch not written: retrying", { tenant: tenantId, events: events.length, captures: captures.length, error: error.message });
        for (const msg of msgs) retryLater(msg, error, 60);
      }
    }),
  );
}
