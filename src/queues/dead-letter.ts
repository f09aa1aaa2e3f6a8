import type { Bindings } from "../env";
import { ApiError } from "../errors";
import { failDocument } from "../ingest/pipeline";
import { logLine } from "../lib/log";
import { finalizeDataset } from "../datasets/finalize";
import { openTenant } from "../durable/tenant";
import { evalTaskMessageSchema, ingestMessageSchema, labelQueueMessageSchema, usageQueueMessageSchema, type UsageQueueMessage } from "./messages";
import { recordIntake } from "../serving/capture";
import { finalizeEval } from "../evals/runs/finish";

/**
 * Messages that used up their retries: the thing they were for is recorded as
 * failed (with why), then the message is acknowledged. Nothing is dropped silently.
 */
export async function consumeDeadLetters(batch: MessageBatch<unknown>, env: Bindings): Promise<void> {
  for (const msg of batch.messages) {
    const body = msg.body as { tenant_id?: string; request_id?: string; type?: string } | null;
    logLine("error", "dead letter", {
      queue: batch.queue,
      message_id: msg.id,
      attempts: msg.attempts,
      type: body?.type,
      tenant: body?.tenant_id,
      request_id: body?.request_id,
    });
    const label = labelQueueMessageSchema.safeParse(body);
    if (label.success) {
      using tenant = openTenant(env, label.data.tenant_id);
      // Failed with the last error it saw; it may have been its dataset's last work.
      const { finalize } = await tenant.generation.giveUp(label.data);
      if (finalize) await finalizeDataset(env, tenant, label.data.dataset_id, label.data.request_id);
    }
    const evalTask = evalTaskMessageSchema.safeParse(body);
    if (evalTask.success) {
      const m = evalTask.data;
      using tenant = openTenant(env, m.tenant_id);
      // Counted failed (never scored), so the eval still completes; it may have been its last task.
      const done = await tenant.evals.finish(m.eval_id, m.task_id, { failed: true, score: null, undetermined: null, extra: null, result: { error: `gave up after ${msg.attempts} deliveries` }, cost_micros: 0 });
      if (done.complete) await finalizeEval(env, tenant, m.eval_id, m.request_id);
    }
    const ingest = ingestMessageSchema.safeParse(body);
    if (ingest.success) {
      using tenant = openTenant(env, ingest.data.tenant_id);
      // The consumer fails a document itself when it catches an error on the last attempt: a
      // message here ended every delivery without one (the invocation was stopped: CPU time,
      // memory, a crash), so that is the cause to name, and what to do about it.
      const reason = new ApiError(
        "internal",
        `Ingestion was stopped before it finished on each of ${msg.attempts} attempts, with no error to report: ` +
          "processing this document most likely ran over the Worker's CPU time or memory. Split it into smaller " +
          `documents and upload those, or retry it with POST /api/documents/{id}/retry (request id ${ingest.data.request_id}).`,
        // The stop may have been a passing one (a restart, an evicted isolate): the original is kept
        // so a retry can ingest it again.
        { retryable: true },
      );
      logLine("error", "document failed", {
        tenant: ingest.data.tenant_id,
        document: ingest.data.document_id,
        code: "interrupted",
        cause: "every delivery ended without an answer (the consumer invocation was stopped)",
        request_id: ingest.data.request_id,
      });
      await failDocument(env, tenant, ingest.data.document_id, reason, "interrupted");
    }
    const usage = usageQueueMessageSchema.safeParse(body);
    if (usage.success) await lastTryOrPark(env, usage.data);
    msg.ack();
  }
}

/**
 * Usage or a capture whose tenant write failed on every delivery: one more direct write, and if
 * that fails too, the message is kept in R2 (`dead-letters/usage/<tenant>/<id>.json`, one object
 * per message, so a redelivery overwrites itself) for an operator to replay, never dropped.
 */
async function lastTryOrPark(env: Bindings, m: UsageQueueMessage): Promise<void> {
  try {
    if (m.type === "usage.record") await recordIntake(env, m.tenant_id, [{ id: m.id, at: m.at, entries: m.entries }], []);
    else await recordIntake(env, m.tenant_id, [], [m]);
  } catch (err) {
    const key = `dead-letters/usage/${m.tenant_id}/${m.id}.json`;
    await env.DATA.put(key, JSON.stringify({ message: m, error: err instanceof Error ? err.message : String(err) }), { httpMetadata: { contentType: "application/json" } });
    logLine("error", "usage parked", { tenant: m.tenant_id, request_id: m.request_id, type: m.type, key });
  }
}
