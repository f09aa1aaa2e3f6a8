import { openJob } from "../durable/fine-tune-job";
import { openTenant, type TenantHandle } from "../durable/tenant";
import type { Bindings } from "../env";
import { ApiError, causeOf, toApiError } from "../errors";
import { enqueueTasks } from "../evals/runs/enqueue";
import { finalizeEval } from "../evals/runs/finish";
import { jobEvalId, startEval } from "../evals/runs/create";
import { runTask } from "../evals/runs/tasks";
import { logLine } from "../lib/log";
import { withPacing } from "../llm/pace";
import { evalMessageSchema, type EvalJobMessage, type EvalTaskMessage } from "./messages";
import { retryLater } from "./retry";

/** Deliveries of one task before it is recorded failed (counted by the queue: every delivery of it). */
export const MAX_EVAL_ATTEMPTS = 6;
/** The longest queue delay after a 429: the retry's calls wait at the provider key's limiter anyway. */
const PACED_RETRY_MAX_S = 2;

/**
 * One task to its end. `begin` answers nothing to do when the task is done (a redelivery), its eval
 * stopped (cancelled, deleted, or just stopped by its cost cap): then no provider is called. Else
 * the task runs, and `finish` writes it once, naming the judge tasks it made possible (queued here)
 * and whether it was the eval's last (then the report is written).
 */
async function runOne(env: Bindings, tenant: TenantHandle, msg: Message<unknown>, m: EvalTaskMessage): Promise<void> {
  const begun = await tenant.evals.begin(m.eval_id, m.task_id);
  if (!begun.go) return msg.ack();
  let outcome;
  try {
    outcome = await runTask(env, tenant, begun.begun, m.request_id);
  } catch (err) {
    const e = toApiError(err);
    if (e.retryable && msg.attempts < MAX_EVAL_ATTEMPTS) {
      await tenant.evals.release(m.eval_id, m.task_id);
      const delay = retryLater(msg, e, e.code === "rate_limited" ? PACED_RETRY_MAX_S : undefined);
      logLine("warn", "eval task retry", { tenant: m.tenant_id, eval: m.eval_id, task: m.task_id, attempt: msg.attempts, delay_s: delay, code: e.code, cause: causeOf(e), request_id: m.request_id });
      return;
    }
    logLine("warn", "eval task failed", { tenant: m.tenant_id, eval: m.eval_id, task: m.task_id, attempt: msg.attempts, code: e.code, cause: causeOf(e), request_id: m.request_id });
    outcome = { failed: true, score: null, undetermined: null, extra: null, result: { error: `${e.code}: ${e.message}` }, cost_micros: 0 };
  }
  const done = await tenant.evals.finish(m.eval_id, m.task_id, outcome);
  if (done.follow.length) await enqueueTasks(env, m.tenant_id, m.eval_id, m.request_id, done.follow);
  if (done.complete) await finalizeEval(env, tenant, m.eval_id, m.request_id);
  msg.ack();
}

/**
 * A job created with `evaluate: true` succeeded: its model against the incumbent (the tenant's
 * active model), with its base beside them when the base is not the incumbent, on the job's
 * snapshot. The eval id comes from the job id, so a redelivery starts nothing twice.
 */
async function startForJob(env: Bindings, tenant: TenantHandle, msg: Message<unknown>, m: EvalJobMessage): Promise<void> {
  const job = await openJob(env, m.tenant_id, m.job_id).get();
  if (!job || job.state !== "succeeded" || !job.fine_tuned_model || !job.dataset) {
    logLine("warn", "eval for a job that has nothing to evaluate", { tenant: m.tenant_id, job: m.job_id, state: job?.state ?? null, request_id: m.request_id });
    return msg.ack();
  }
  const id = await jobEvalId(job.id);
  try {
    const started = await startEval(
      env,
      tenant,
      { dataset: job.dataset.id, models: [job.fine_tuned_model, job.base_model] },
      { id, jobId: job.id, requestId: m.request_id },
    ).catch(async (err) => {
      // The base is the incumbent already (or cannot be called): the job's model alone against the incumbent.
      if (err instanceof ApiError && err.status === 400 && (err.details as { model?: string } | undefined)?.model === job.base_model) {
        return startEval(env, tenant, { dataset: job.dataset!.id, models: [job.fine_tuned_model!] }, { id, jobId: job.id, requestId: m.request_id });
      }
      throw err;
    });
    logLine("info", "eval started for a job", { tenant: m.tenant_id, job: job.id, eval: started.eval.id, created: started.created, request_id: m.request_id });
    msg.ack();
  } catch (err) {
    const e = toApiError(err);
    if (e.retryable && msg.attempts < MAX_EVAL_ATTEMPTS) {
      retryLater(msg, e);
      return;
    }
    // A 4xx (no eval split, a model that needs a deployment first): the job stands; the eval cannot start.
    logLine("warn", "eval for a job not started", { tenant: m.tenant_id, job: job.id, code: e.code, cause: causeOf(e), request_id: m.request_id });
    msg.ack();
  }
}

/**
 * The `eval` consumer: each message one task (an answer or a judge unit) of an eval, or a job's
 * request for its eval. Tenants side by side, each inside `withPacing`, so every provider call takes
 * a slot from its key's ProviderLimiter (shared with labeling and other tenants) first.
 */
export async function consumeEval(batch: MessageBatch<unknown>, env: Bindings): Promise<void> {
  const byTenant = new Map<string, Array<{ msg: Message<unknown>; body: EvalTaskMessage | EvalJobMessage }>>();
  for (const msg of batch.messages) {
    const parsed = evalMessageSchema.safeParse(msg.body);
    if (!parsed.success) {
      logLine("error", "malformed eval message", { message_id: msg.id });
      msg.ack();
      continue;
    }
    const list = byTenant.get(parsed.data.tenant_id) ?? [];
    list.push({ msg, body: parsed.data });
    byTenant.set(parsed.data.tenant_id, list);
  }
  await Promise.all(
    [...byTenant].map(async ([tenantId, items]) => {
      using tenant = openTenant(env, tenantId);
      await withPacing({ tenant: tenantId, limiterFor: (key) => env.PROVIDER_LIMITER.get(env.PROVIDER_LIMITER.idFromName(key)) }, () =>
        Promise.all(
          items.map(async ({ msg, body }) => {
            try {
              if (body.type === "eval.job") await startForJob(env, tenant, msg, body);
              else await runOne(env, tenant, msg, body);
            } catch (err) {
              // The tenant's object unreachable, R2 failing: the message comes back; every step is idempotent.
              logLine("error", "eval message retried", { tenant: tenantId, type: body.type, cause: causeOf(err), request_id: body.request_id });
              retryLater(msg, toApiError(err));
            }
          }),
        ),
      );
    }),
  );
}
