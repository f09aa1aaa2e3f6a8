import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../env";
import { ApiError } from "../errors";
import { isTerminal, newRecord, type JobInit, type JobRecord } from "./fine-tune-job/record";
import { errorDelayMs, nextPollDelayMs, pollCadence } from "./poll-cadence";
import { eventView, jobView, type JobEventView, type JobView } from "./fine-tune-job/view";
import type { PageQuery } from "./keyset";
import { deliverWebhook, nextWebhookDelayMs } from "../webhooks/delivery";
import { jobEvent } from "./fine-tune-job/webhook-payload";
import { logLine } from "../lib/log";
import { fineTuneProviderFor } from "../providers";
import type { FineTuneProvider, ProviderEvent, ProviderJob } from "../providers/types";
import { migrate } from "./sql-migrations";
import { addEvents, JOB_MIGRATIONS, listEvents, loadRecord, pageEvents, saveRecord } from "./fine-tune-job/store";
import { advanceJob, applyProviderJob, nextPollDelay, onStepError, transition, type StepContext } from "./fine-tune-job/steps";
import { remote, throwsAcrossRpc, type Remote } from "./rpc-errors";
import { openTenant } from "./tenant";
import { launchDeployment } from "./model-deployment/launch";
import { OneStepAtATime } from "./one-step";
import { jobEvalId } from "./tenant/evals-types";
import type { EvalJobMessage } from "../queues/messages";
import { configureClock, nowIso, nowMs } from "../lib/clock";

const EVENTS_SHOWN = 200;
/** When a job's first step, started in the background, is taken up again if its object was evicted mid-step. */
const RESTART_AFTER_MS = 60_000;
const SOON_MS = 1_000;

/**
 * One fine-tune job (one object per job, addressed by `{tenant}:{job}`): pins a dataset snapshot,
 * uploads it, creates the provider job, polls it with one alarm, registers the model, notifies.
 * Every step saves what it learned before the next provider call, so a restart repeats nothing.
 */
export class FineTuneJob extends DurableObject<Bindings> {
  private readonly sql: SqlStorage;
  private job: JobRecord | null = null;
  /** Steps run one after another: they await provider calls, and another alarm may arrive meanwhile. */
  private readonly steps = new OneStepAtATime();

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    configureClock(env);
    this.sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => {
      migrate(this.sql, JOB_MIGRATIONS);
      this.job = loadRecord(this.sql);
    });
  }

  /** Starts a new job (a repeat with the same id returns it unchanged). */
  async start(init: JobInit): Promise<JobView> {
    if (!this.job) {
      this.job = newRecord(init);
      this.note("created", "info", "state");
      this.save();
      await this.syncIndex();
      // The first step starts now, in the background; the alarm is its safety net should this
      // object be evicted mid-step (each step re-arms the alarm for the next one).
      await this.ctx.storage.setAlarm(Date.now() + RESTART_AFTER_MS);
      this.ctx.waitUntil(this.alarm());
    }
    return this.view();
  }

  /** Tracks an existing provider job (the seeds' `start_job_id`); one that already succeeded is registered now. */
  async attach(init: JobInit, current: ProviderJob): Promise<JobView> {
    if (!this.job) {
      this.job = { ...newRecord(init), create_attempted: true };
      this.note(`attached ${init.provider} job ${current.id}`);
      const ctx = this.context(this.job);
      transition(ctx, "submitted", `${init.provider} job ${current.id}`);
      applyProviderJob(ctx, current);
      this.save();
      await this.finishOrSchedule(isTerminal(this.job.state) ? null : nextPollDelay(ctx));
    }
    return this.view();
  }

  async get(): Promise<JobView | null> {
    return this.job ? this.view() : null;
  }

  /** The job's events, newest first, a page after or before an event id. */
  async events(q: PageQuery): Promise<{ data: JobEventView[]; has_more: boolean }> {
    if (!this.job) throw new ApiError("not_found", "No such job.");
    const page = pageEvents(this.sql, q);
    return { data: page.data.map(eventView), has_more: page.has_more };
  }

  /**
   * Cancels: at once when no provider job exists yet, else by asking the provider (retried by the
   * alarm if the provider is unreachable). A cancelled job answers as it is; a finished one, 409.
   */
  async cancel(): Promise<JobView> {
    const job = this.job;
    if (!job) throw new ApiError("not_found", "No such job.");
    if (job.state === "cancelled") return this.view();
    if (isTerminal(job.state)) throw new ApiError("conflict", `Job ${job.id} has already ${job.state}; only unfinished jobs can be cancelled.`);
    if (!job.cancel_requested) {
      job.cancel_requested = true;
      this.note("cancel requested");
    }
    if (this.steps.stepping) {
      // A step is uploading or polling: it sees the flag when it resumes (and the next alarm sends the cancel).
      this.save();
      return this.view();
    }
    const ctx = this.context(job);
    if (!job.provider_job_id && !job.create_attempted) {
      transition(ctx, "cancelled", "cancelled before a provider job was created");
    } else if (job.provider_job_id && !job.cancel_sent) {
      try {
        const after = await this.provider(job).cancel(job.provider_job_id);
        job.cancel_sent = true;
        this.note(`cancel sent to ${job.provider}`);
        applyProviderJob(ctx, after);
      } catch (err) {
        // The alarm sends it again; the caller sees cancel_requested.
        this.note(`cancel not delivered yet: ${err instanceof Error ? err.message : String(err)}`, "warn", "retry");
      }
    }
    this.save();
    // A cancel ends the job soon whatever the estimate said: the first short poll, not a wait for the estimated end.
    await this.finishOrSchedule(isTerminal(job.state) ? null : nextPollDelayMs({ pollsSinceChange: 0, nowMs: Date.now() }, pollCadence(this.env)));
    return this.view();
  }

  /**
   * The one alarm: advance the job, then finish (register, notify) or re-arm, one step at a time
   * (`OneStepAtATime`).
   */
  override async alarm(): Promise<void> {
    return this.steps.run(() => this.step());
  }

  private async step(): Promise<void> {
    const job = this.job;
    if (!job) return;
    const ctx = this.context(job);
    let next: number | null;
    try {
      next = await advanceJob(ctx);
    } catch (err) {
      next = onStepError(ctx, err);
      logLine("warn", "fine-tune job step failed", { job: job.id, request_id: job.request_id, error: err instanceof Error ? err.message : String(err) });
    }
    this.save();
    await this.finishOrSchedule(next);
  }

  /** After a step: mirror the state to the tenant, and once finished register the model and send the webhook. */
  private async finishOrSchedule(next: number | null): Promise<void> {
    const job = this.job!;
    try {
      await this.syncIndex();
      if (isTerminal(job.state)) next = await this.afterTerminal(job);
    } catch (err) {
      // The tenant's index or registry was unreachable: what is not done yet is redone next time
      // (a throw here would leave the job to the platform's few alarm retries).
      const message = err instanceof Error ? err.message : String(err);
      this.note(`bookkeeping failed, retrying: ${message}`, "warn", "retry");
      next = errorDelayMs(1, undefined, pollCadence(this.env));
    }
    // A cancel that arrived while a step was running goes out soon, not at the next (perhaps 5 min) poll.
    if (next !== null && job.cancel_requested && !job.cancel_sent && job.provider_job_id) next = Math.min(next, SOON_MS);
    job.poll.next_at = next === null ? null : new Date(nowMs() + next).toISOString();
    this.save();
    if (next === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(Date.now() + next);
  }

  /**
   * Registration and notification (the tenant's endpoints, the job's own webhook), each done once;
   * returns when to retry the job's webhook, if it must be.
   */
  private async afterTerminal(job: JobRecord): Promise<number | null> {
    if (job.state === "succeeded" && !job.registered && job.fine_tuned_model) {
      const provider = this.provider(job);
      using tenant = openTenant(this.env, job.tenant_id);
      await tenant.models.register({
        id: job.fine_tuned_model,
        provider: provider.inferenceProvider,
        fine_tune_provider: job.provider,
        base_model: job.base_model,
        job_id: job.id,
        servable: provider.servableOnSuccess,
        trained_tokens: job.trained_tokens,
      });
      job.registered = true;
      this.note(`registered ${job.fine_tuned_model} as a candidate${provider.servableOnSuccess ? "" : " (needs a deployment before it can serve)"}`);
      this.save();
    }
    if (job.state === "succeeded" && job.registered && job.deploy && !job.deployment_started && job.fine_tuned_model) await this.deployStudent(job, job.fine_tuned_model);
    // A model that needs a deployment first cannot be called yet: its eval is asked for once it can (POST /api/evals).
    if (job.state === "succeeded" && job.evaluate && job.registered && !job.eval_id && this.provider(job).servableOnSuccess) {
      // The eval is the eval queue's to start (its id comes from the job's, so a repeat starts nothing twice).
      const message: EvalJobMessage = { type: "eval.job", tenant_id: job.tenant_id, request_id: job.request_id, job_id: job.id };
      await this.env.EVAL_QUEUE.send(message);
      job.eval_id = await jobEvalId(job.id);
      this.note(`evaluation ${job.eval_id} queued (evaluate: true)`);
      this.save();
    }
    const eventId = `evt_${job.id}_${job.state}`;
    if (!job.event_emitted) {
      // To the tenant's endpoints, through its outbox (which retries on its own alarm); a repeat after a
      // crash before the flag was saved queues nothing twice (the outbox keys on the event id).
      using tenant = openTenant(this.env, job.tenant_id);
      await tenant.webhooks.emit(jobEvent(job, eventId));
      job.event_emitted = true;
      this.save();
    }
    if (!job.webhook) return null;
    job.webhook_delivery ??= { event_id: eventId, attempts: 0, delivered_at: null, last_error: null, gave_up: false };
    const delivery = job.webhook_delivery;
    if (delivery.delivered_at || delivery.gave_up) return null;
    const result = await deliverWebhook({
      url: job.webhook.url,
      secrets: [job.webhook.secret],
      // One event to one endpoint: the event id is the message id.
      webhookId: delivery.event_id,
      event: jobEvent(job, delivery.event_id),
    });
    delivery.attempts++;
    if (result.ok) {
      delivery.delivered_at = nowIso();
      this.note(`webhook delivered (HTTP ${result.status})`, "info", "webhook");
      return null;
    }
    delivery.last_error = result.error;
    const delay = result.retryable ? nextWebhookDelayMs(delivery.attempts) : null;
    if (delay === null) delivery.gave_up = true;
    this.note(`webhook attempt ${delivery.attempts} failed: ${result.error}${delay === null ? "; giving up" : ""}`, "warn", "webhook");
    return delay;
  }

  /** `deploy: true`: the succeeded student is deployed (a retryable failure is retried with the bookkeeping; a final one is noted). */
  private async deployStudent(job: JobRecord, model: string): Promise<void> {
    try {
      using tenant = openTenant(this.env, job.tenant_id);
      const { deployment } = await launchDeployment(this.env, tenant, { model, job_id: job.id, request_id: job.request_id, evaluate: job.evaluate === true });
      this.note(`deploying ${model}: deployment ${deployment.id}`);
      if (job.evaluate && !job.eval_id) {
        // The deployment queues the eval once it serves; its id is known now (it derives from the job's).
        job.eval_id = await jobEvalId(job.id);
        this.note(`evaluation ${job.eval_id} starts when deployment ${deployment.id} is ready (evaluate: true)`);
      }
    } catch (err) {
      if (err instanceof ApiError && err.retryable) throw err;
      this.note(`could not deploy ${model}: ${err instanceof Error ? err.message : String(err)}`, "warn");
    }
    job.deployment_started = true;
    this.save();
  }

  private async syncIndex(): Promise<void> {
    const job = this.job!;
    using tenant = openTenant(this.env, job.tenant_id);
    await tenant.jobs.update({
      id: job.id,
      state: job.state,
      provider_job_id: job.provider_job_id,
      fine_tuned_model: job.fine_tuned_model,
      updated_at: job.updated_at,
    });
  }

  private provider(job: JobRecord): FineTuneProvider {
    return fineTuneProviderFor(this.env, job.provider, { requestId: job.request_id });
  }

  private context(job: JobRecord): StepContext {
    let provider: FineTuneProvider | undefined;
    return {
      job,
      env: this.env,
      cadence: pollCadence(this.env),
      provider: () => (provider ??= this.provider(job)),
      save: () => this.save(),
      note: (message, level, type) => this.note(message, level, type),
      addProviderEvents: (events) => addEvents(this.sql, "provider", events),
    };
  }

  private note(message: string, level: ProviderEvent["level"] = "info", type = "note"): void {
    const at = nowMs();
    addEvents(this.sql, "distillery", [{ id: `d_${at}_${crypto.randomUUID().slice(0, 8)}`, created_at: Math.floor(at / 1000), level, type, message }]);
  }

  private save(): void {
    if (this.job) saveRecord(this.sql, this.job);
  }

  private view(): JobView {
    return jobView(this.job!, listEvents(this.sql, EVENTS_SHOWN));
  }
}

throwsAcrossRpc(FineTuneJob);

/** The stub of one job's object (as the test pool's runInDurableObject and runDurableObjectAlarm take it). */
export function jobStub(env: Bindings, tenantId: string, jobId: string): DurableObjectStub<FineTuneJob> {
  return env.FINE_TUNE_JOB.get(env.FINE_TUNE_JOB.idFromName(`${tenantId}:${jobId}`));
}

/** One job's object as callers use it: a failure arrives as the ApiError the object threw. */
export function openJob(env: Bindings, tenantId: string, jobId: string): Remote<Pick<FineTuneJob, "start" | "attach" | "get" | "events" | "cancel">> {
  return remote(jobStub(env, tenantId, jobId));
}
