/**
 * The Tenant object's webhook outbox: `emitEvent` records an event and a delivery per subscribed
 * endpoint in one synchronous write, then arms the object's alarm; the alarm (`deliverDue`) POSTs
 * what is due and re-arms for the next retry. Same attempts, backoff and give-up as a job's own
 * webhook (src/webhooks/delivery.ts). When a delivery is due is a date decision, on the clock
 * seam (tests move it to bring a retry due); only the alarm itself is set in machine time.
 */
import { nowIso, nowMs } from "../../lib/clock";
import { logLine } from "../../lib/log";
import { deliverWebhook, nextWebhookDelayMs } from "../../webhooks/delivery";
import type { WebhookEvent } from "../../webhooks/events";
import { claimDue, enqueueEvent, getEndpoint, nextDueAt, pruneDeliveries, recordAttempt, secretsOf, webhookIdOf } from "./webhooks";

/** Deliveries one alarm run makes at most (in parallel); more are left to an immediate next run. */
const BATCH = 20;
/** How long a delivery in flight is claimed: beyond the 10 s request timeout, with margin. */
const CLAIM_MS = 2 * 60_000;
/** Finished deliveries are kept this long for GET /api/webhooks/{id}/deliveries. */
const KEEP_MS = 30 * 24 * 3600_000;

export interface Outbox {
  sql: SqlStorage;
  storage: DurableObjectStorage;
}

/**
 * Records `event` for every endpoint subscribed to its type (once per event id) and arms the alarm
 * for whatever is owed, also on a repeat: a caller retrying after a crash between the write and the
 * alarm leaves no delivery without one.
 */
export async function emitEvent({ sql, storage }: Outbox, event: WebhookEvent<string, unknown>): Promise<{ deliveries: number }> {
  const deliveries = enqueueEvent(sql, event, nowIso(), nowMs());
  const next = nextDueAt(sql);
  if (next !== null) await armBy(storage, Date.now() + Math.max(0, next - nowMs()));
  return { deliveries };
}

/** One alarm's work: deliver what is due, record each outcome, re-arm for what remains. */
export async function deliverDue({ sql, storage }: Outbox): Promise<void> {
  const started = nowMs();
  const due = claimDue(sql, started, started + CLAIM_MS, BATCH);
  await Promise.all(
    due.map(async (d) => {
      const endpoint = getEndpoint(sql, d.endpoint_id);
      if (!endpoint) return; // deleted meanwhile: its deliveries went with it
      const result = await deliverWebhook({
        url: endpoint.url,
        secrets: secretsOf(endpoint, nowMs()),
        event: JSON.parse(d.body) as WebhookEvent<string, unknown>,
        webhookId: webhookIdOf(d.event_id, d.endpoint_id),
      });
      const attempts = d.attempts + 1;
      if (result.ok) {
        recordAttempt(sql, d, { deliveredAt: nowIso(), error: null, nextAt: null });
        return;
      }
      const delay = result.retryable ? nextWebhookDelayMs(attempts) : null;
      recordAttempt(sql, d, { deliveredAt: null, error: result.error, nextAt: delay === null ? null : nowMs() + delay });
      logLine("warn", "webhook delivery failed", { endpoint: d.endpoint_id, event: d.event_id, attempts, error: result.error, gave_up: delay === null });
    }),
  );
  pruneDeliveries(sql, new Date(nowMs() - KEEP_MS).toISOString());
  const next = nextDueAt(sql);
  if (next === null) await storage.deleteAlarm();
  else await storage.setAlarm(Date.now() + Math.max(0, next - nowMs()));
}

/** Sets the alarm to `at` unless one is already due sooner. */
async function armBy(storage: DurableObjectStorage, at: number): Promise<void> {
  const current = await storage.getAlarm();
  if (current === null || current > at) await storage.setAlarm(at);
}
