/**
 * The usage queue's consumer: each batch's events grouped by tenant and written to each tenant's
 * object in one call (at most one object write per batch per tenant). Events carry their own ids,
 * so a redelivered batch, or one retried after a partial failure, changes nothing twice.
 */
import { openTenant as openTenantHandle } from "../durable/tenant";
import type { UsageEvent } from "../durable/tenant/usage";
import type { Bindings } from "../env";
import { ApiError } from "../errors";
import { logLine } from "../lib/log";
import { type UsageMessage, usageMessageSchema } from "./messages";
import { retryLater } from "./retry";

/** How the consumer reaches a tenant's usage (tests count the writes). */
export interface UsageWriter {
  (env: Bindings, tenantId: string, events: UsageEvent[]): Promise<void>;
}

const writeToTenant: UsageWriter = async (env, tenantId, events) => {
  using tenant = openTenantHandle(env, tenantId);
  await tenant.usage.recordEvents(events);
};

/** Consumes one batch of usage messages. */
export async function consumeUsage(batch: MessageBatch<unknown>, env: Bindings, write: UsageWriter = writeToTenant): Promise<void> {
  const byTenant = new Map<string, { msgs: Message<unknown>[]; events: UsageEvent[] }>();
  for (const msg of batch.messages) {
    const parsed = usageMessageSchema.safeParse(msg.body);
    if (!parsed.success) {
      // Not retried: a malformed message would fail the same way each time.
      logLine("error", "malformed usage message dropped", { queue: batch.queue, message_id: msg.id, error: parsed.error.message });
      msg.ack();
      continue;
    }
    const m: UsageMessage = parsed.data;
    const group = byTenant.get(m.tenant_id) ?? { msgs: [], events: [] };
    group.msgs.push(msg);
    group.events.push({ id: m.id, at: m.at, entries: m.entries });
    byTenant.set(m.tenant_id, group);
  }
  await Promise.all(
    [...byTenant].map(async ([tenantId, { msgs, events }]) => {
      try {
        await write(env, tenantId, events);
        for (const msg of msgs) msg.ack();
      } catch (err) {
        const error = err instanceof ApiError ? err : new ApiError("internal", err instanceof Error ? err.message : String(err), { retryable: true });
        logLine("warn", "usage batch not written: retrying", { tenant: tenantId, events: events.length, error: error.message });
        for (const msg of msgs) retryLater(msg, error, 60);
      }
    }),
  );
}
