import { DurableObject } from "cloudflare:workers";
import { deploymentProviderFor } from "../../deployments";
import type { DeploymentProvider } from "../../deployments/types";
import type { Bindings } from "../../env";
import { ApiError } from "../../errors";
import { configureClock, nowIso, nowMs } from "../../lib/clock";
import { logLine } from "../../lib/log";
import { activePointer } from "../../serving/pointer";
import type { EvalJobMessage } from "../../queues/messages";
import type { DeploymentWebhookEvent } from "../../webhooks/events";
import { errorDelayMs, pollCadence } from "../poll-cadence";
import { remote, throwsAcrossRpc, type Remote } from "../rpc-errors";
import { migrate } from "../sql-migrations";
import { openTenant } from "../tenant";
import { isFinal, newRecord, type DeploymentInit, type DeploymentRecord } from "./record";
import { OneStepAtATime } from "../one-step";
import { advance, onStepError, transition, type StepContext } from "./steps";
import { deploymentView, type DeploymentView } from "./view";

const MIGRATIONS = [`CREATE TABLE deployment (id INTEGER PRIMARY KEY CHECK (id = 1), record TEXT NOT NULL)`] as const;
/** The safety net for the first step, begun in the background, should the object be evicted mid-step. */
const RESTART_AFTER_MS = 60_000;
const SOON_MS = 1_000;
/** DEPLOYMENT_GRACE_MINUTES when unset or invalid: a day. */
const DEFAULT_GRACE_MINUTES = 24 * 60;

/**
 * One deployment of an open-weights student (one object per deployment, addressed by
 * `{tenant}:{deployment}`): creates it at the provider under a name derived from its id, polls it
 * with one alarm until it serves, fails or stops, and mirrors that to the tenant (its index, the
 * model's servability, webhook events). Every step saves what it learned before the next provider
 * call, so a restart repeats nothing and never creates a second deployment.
 */
export class ModelDeployment extends DurableObject<Bindings> {
  private readonly sql: SqlStorage;
  private rec: DeploymentRecord | null = null;
  private readonly steps = new OneStepAtATime();

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    configureClock(env);
    this.sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => {
      migrate(this.sql, MIGRATIONS);
      const row = this.sql.exec<{ record: string }>("SELECT record FROM deployment WHERE id = 1").toArray()[0];
      this.rec = row ? (JSON.parse(row.record) as DeploymentRecord) : null;
    });
  }

  /** Starts a deployment (a repeat with the same id returns it unchanged). */
  async start(init: DeploymentInit): Promise<DeploymentView> {
    if (!this.rec) {
      this.rec = newRecord(init);
      this.save();
      await this.ctx.storage.setAlarm(Date.now() + RESTART_AFTER_MS);
      this.ctx.waitUntil(this.alarm());
    }
    return this.view();
  }

  /** The deployment as the API shows it; on a shared base, its cost is its share by the provider's rule. */
  async get(): Promise<DeploymentView | null> {
    if (!this.rec) return null;
    const view = this.view();
    const rec = this.rec;
    if (!rec.spec.shared || !rec.provider_id || rec.state === "stopped" || rec.state === "failed") return view;
    const provider = deploymentProviderFor(this.env, rec.provider, { requestId: rec.request_id });
    if (!provider.costShare) return view;
    const share = await provider.costShare(rec.spec);
    return { ...view, cost: { hourly_usd: share.hourly_usd, so_far_usd: share.accrued_usd, share } };
  }

  /** Stops: at once when nothing was created yet, else by asking the provider (on the alarm, retried). */
  async stop(reason: "requested" | "unused" = "requested"): Promise<DeploymentView> {
    const rec = this.rec;
    if (!rec) throw new ApiError("not_found", "No such deployment.");
    if (rec.state === "failed") throw new ApiError("conflict", `Deployment ${rec.spec.deployment_id} failed; there is nothing to stop.`);
    if (rec.state === "stopped" || rec.stop_requested) return this.view();
    rec.stop_requested = true;
    rec.stop_reason = reason;
    if (!rec.provider_id && !rec.create_attempted && !this.steps.stepping) transition(rec, "stopped", "stopped before anything was created");
    else if (rec.state !== "stopping") transition(rec, "stopping", `stop requested (${reason})`);
    this.save();
    await this.finishOrSchedule(isFinal(rec.state) ? null : SOON_MS);
    return this.view();
  }

  /** The sweeper's nudge: an unfinished deployment with no alarm gets one again. */
  async resume(): Promise<DeploymentView | null> {
    if (!this.rec) return null;
    if (!isFinal(this.rec.state) && (await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + SOON_MS);
    return this.view();
  }

  override async alarm(): Promise<void> {
    return this.steps.run(() => this.step());
  }

  private async step(): Promise<void> {
    const rec = this.rec;
    if (!rec) return;
    let provider: DeploymentProvider | undefined;
    const ctx: StepContext = {
      rec,
      cadence: pollCadence(this.env),
      provider: () => (provider ??= deploymentProviderFor(this.env, rec.provider, { requestId: rec.request_id })),
      save: () => this.save(),
    };
    let next: number | null;
    try {
      await this.stopIfUnused(rec);
      next = await advance(ctx);
    } catch (err) {
      next = onStepError(ctx, err);
      logLine("warn", "deployment step failed", { deployment: rec.spec.deployment_id, request_id: rec.request_id, error: err instanceof Error ? err.message : String(err) });
    }
    this.save();
    await this.finishOrSchedule(next);
  }

  /**
   * A ready deployment whose model is neither the tenant's active one nor a candidate in a running
   * eval once the grace period since it became ready has passed is stopped (it costs by the hour and serves nothing). The grace period
   * is also what leaves a candidate time to be evaluated.
   */
  private async stopIfUnused(rec: DeploymentRecord): Promise<void> {
    if (rec.state !== "ready" || rec.stop_requested || !rec.ready_at) return;
    const minutes = Number(this.env.DEPLOYMENT_GRACE_MINUTES);
    const graceMs = (Number.isFinite(minutes) && minutes > 0 ? minutes : DEFAULT_GRACE_MINUTES) * 60_000;
    if (nowMs() < Date.parse(rec.ready_at) + graceMs) return;
    const active = await activePointer(this.env, rec.spec.tenant_id);
    if (active.model === rec.spec.model) return;
    {
      using tenant = openTenant(this.env, rec.spec.tenant_id);
      if (await tenant.evals.underEvaluation(rec.spec.model)) return; // a candidate being evaluated is not unused
    }
    rec.stop_requested = true;
    rec.stop_reason = "unused";
    transition(rec, "stopping", `the model is not active ${Math.round(graceMs / 60_000)} minutes after it was deployed`);
  }

  /** After a step: mirror to the tenant (index, servability, events), then re-arm or finish. */
  private async finishOrSchedule(next: number | null): Promise<void> {
    const rec = this.rec!;
    try {
      await this.mirror(rec);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      rec.poll.last_error = `bookkeeping failed, retrying: ${message}`;
      next = errorDelayMs(1, undefined, pollCadence(this.env));
    }
    rec.poll.next_at = next === null ? null : new Date(nowMs() + next).toISOString();
    this.save();
    if (next === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(Date.now() + next);
  }

  private async mirror(rec: DeploymentRecord): Promise<void> {
    const s = rec.spec;
    using tenant = openTenant(this.env, s.tenant_id);
    await tenant.deployments.update({ id: s.deployment_id, state: rec.state, inference_model: rec.inference_model, updated_at: rec.updated_at });
    if (rec.state === "ready" && !rec.served) {
      await tenant.deployments.serve(s.model, { deployment_id: s.deployment_id, base_url: rec.base_url, inference_model: rec.inference_model });
      rec.served = true;
      this.save();
    }
    if (rec.state === "ready" && rec.served && rec.evaluate && rec.job_id && !rec.eval_queued) {
      // A job with `deploy` and `evaluate`: its student can be called now, so its eval starts (the eval
      // queue's eval.job, as for a student callable at once; the eval id derives from the job's).
      const message: EvalJobMessage = { type: "eval.job", tenant_id: s.tenant_id, request_id: rec.request_id, job_id: rec.job_id };
      await this.env.EVAL_QUEUE.send(message);
      rec.eval_queued = true;
      this.save();
    }
    if (isFinal(rec.state) && rec.served) {
      await tenant.deployments.unserve(s.model, s.deployment_id, rec.state);
      rec.served = false;
      this.save();
    }
    const type = rec.state === "ready" || rec.state === "failed" || rec.state === "stopped" ? (`deployment.${rec.state}` as const) : null;
    if (type && !rec.emitted.includes(type)) {
      // The outbox keys on the event id: a repeat after a crash before `emitted` was saved queues nothing twice.
      await tenant.webhooks.emit(this.event(rec, type));
      rec.emitted.push(type);
      this.save();
    }
  }

  private event(rec: DeploymentRecord, type: DeploymentWebhookEvent["type"]): DeploymentWebhookEvent {
    const s = rec.spec;
    return {
      id: `evt_${s.deployment_id}_${type.slice("deployment.".length)}`,
      type,
      created: Math.floor(Date.parse(rec.updated_at) / 1000),
      data: {
        deployment: {
          id: s.deployment_id,
          model: s.model,
          provider: rec.provider,
          profile: s.profile,
          state: rec.state,
          inference_model: rec.inference_model,
          stop_reason: rec.stop_reason,
          error: rec.error,
        },
      },
    };
  }

  private save(): void {
    if (this.rec) this.sql.exec("INSERT INTO deployment (id, record) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET record = excluded.record", JSON.stringify(this.rec));
  }

  private view(): DeploymentView {
    return deploymentView(this.rec!, nowMs());
  }
}

throwsAcrossRpc(ModelDeployment);

/** The stub of one deployment's object (as the test pool's runInDurableObject and runDurableObjectAlarm take it). */
export function deploymentStub(env: Bindings, tenantId: string, deploymentId: string): DurableObjectStub<ModelDeployment> {
  return env.MODEL_DEPLOYMENT.get(env.MODEL_DEPLOYMENT.idFromName(`${tenantId}:${deploymentId}`));
}

/** One deployment's object as callers use it: a failure arrives as the ApiError the object threw. */
export function openDeployment(env: Bindings, tenantId: string, deploymentId: string): Remote<Pick<ModelDeployment, "start" | "get" | "stop" | "resume">> {
  return remote(deploymentStub(env, tenantId, deploymentId));
}
