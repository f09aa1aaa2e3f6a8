import type { DeploymentProvider, DeploymentState, DeploymentStatus } from "../../deployments/types";
import { ApiError } from "../../errors";
import { nowIso, nowMs } from "../../lib/clock";
import { MAX_POLL_FAILURES, MAX_SUBMIT_FAILURES } from "../fine-tune-job/schedule";
import { errorDelayMs, nextPollDelayMs, type PollCadence } from "../poll-cadence";
import { isFinal, type DeploymentRecord } from "./record";

/** How often a ready deployment is looked at: the provider may stop it for inactivity, and an unused model's grace period runs out. */
export const WATCH_MS = 15 * 60_000;
const TIMELINE_MAX = 50;

/** What a step needs from the deployment's object. */
export interface StepContext {
  readonly rec: DeploymentRecord;
  readonly cadence: PollCadence;
  provider(): DeploymentProvider;
  /** Persists the record now: before every provider call whose result must not be lost or repeated. */
  save(): void;
}

/** Moves the deployment to `state`, with its timeline entry. */
export function transition(rec: DeploymentRecord, state: DeploymentState, detail: string | null = null): void {
  if (rec.state === state) return;
  rec.state = state;
  rec.updated_at = nowIso();
  rec.poll.count = 0;
  if (state === "ready") rec.ready_at ??= rec.updated_at;
  if (state === "stopped" || (state === "failed" && rec.ready_at)) rec.stopped_at ??= rec.updated_at;
  rec.timeline.push({ state, at: rec.updated_at, detail });
  if (rec.timeline.length > TIMELINE_MAX) rec.timeline.splice(1, rec.timeline.length - TIMELINE_MAX);
}

export function fail(rec: DeploymentRecord, code: string, message: string): void {
  rec.error = { code, message };
  transition(rec, "failed", message);
}

/**
 * One alarm's work: create (or find what an earlier attempt created), poll, or send a stop.
 * Returns the delay before the next alarm, or null when the deployment needs none.
 */
export async function advance(ctx: StepContext): Promise<number | null> {
  const { rec } = ctx;
  if (isFinal(rec.state)) return null;
  if (!rec.provider_id) {
    if (rec.stop_requested && !rec.create_attempted) {
      transition(rec, "stopped", "stopped before anything was created");
      return null;
    }
    await submit(ctx);
    if (isFinal(rec.state)) return null;
    return nextPollDelayMs({ pollsSinceChange: 0, nowMs: nowMs() }, ctx.cadence);
  }
  const provider = ctx.provider();
  if (rec.stop_requested && !rec.stop_sent) {
    const after = await provider.stop(rec.spec, rec.provider_id);
    rec.stop_sent = true;
    if (after.state !== "stopped") transition(rec, "stopping", `stop sent (${rec.stop_reason ?? "requested"})`);
    apply(rec, after);
  } else {
    apply(rec, await provider.status(rec.spec, rec.provider_id));
  }
  rec.poll.count++;
  if (isFinal(rec.state)) return null;
  // The shared cadence (src/durable/poll-cadence.ts): short polls after a change, then one a minute;
  // providers give no estimate of a deployment's end, so none is passed.
  return rec.state === "ready" ? WATCH_MS : nextPollDelayMs({ pollsSinceChange: rec.poll.count, nowMs: nowMs() }, ctx.cadence);
}

/** Creates the provider's deployment, or finds the one a crashed attempt created. */
async function submit(ctx: StepContext): Promise<void> {
  const { rec } = ctx;
  const provider = ctx.provider();
  let status: DeploymentStatus | null = rec.create_attempted ? await provider.find(rec.spec) : null;
  if (status) rec.timeline.push({ state: rec.state, at: nowIso(), detail: `found the ${rec.provider} deployment created before a restart: ${status.provider_id}` });
  if (!status) {
    rec.create_attempted = true;
    ctx.save();
    status = await provider.create(rec.spec);
  }
  rec.provider_id = status.provider_id;
  transition(rec, "provisioning", `${rec.provider} deployment ${status.provider_id}`);
  ctx.save();
  apply(rec, status);
}

/** Takes the provider's view: state, serving name, error. */
export function apply(rec: DeploymentRecord, status: DeploymentStatus): void {
  rec.provider_status = status.provider_status;
  rec.poll.failures = 0;
  rec.poll.last_error = null;
  if (status.inference_model) rec.inference_model = status.inference_model;
  if (status.base_url) rec.base_url = status.base_url;
  if (status.state === "failed") return fail(rec, "provider_failed", status.error ?? `The ${rec.provider} deployment failed.`);
  // Stopped without being asked: the provider's inactivity timeout.
  if (status.state === "stopped" && !rec.stop_requested) rec.stop_reason = "idle";
  // Still provisioning at the provider while we wait for a stop to take: keep "stopping".
  if (rec.stop_requested && (status.state === "provisioning" || status.state === "ready")) return;
  transition(rec, status.state, `${rec.provider} says ${status.provider_status}`);
}

/**
 * A step threw. Retryable (429, 5xx, network): wait and try again, within a bound; final (a
 * provider 4xx, a missing profile): the deployment fails with the provider's message.
 */
export function onStepError(ctx: StepContext, err: unknown): number | null {
  const { rec } = ctx;
  const api = err instanceof ApiError ? err : null;
  const message = api ? api.message : err instanceof Error ? err.message : String(err);
  if (api && !api.retryable) {
    fail(rec, api.code, message);
    return null;
  }
  rec.poll.failures++;
  rec.poll.last_error = message;
  const limit = rec.provider_id ? MAX_POLL_FAILURES : MAX_SUBMIT_FAILURES;
  if (rec.poll.failures >= limit) {
    fail(rec, api?.code ?? "internal", `Gave up after ${rec.poll.failures} failed attempts in a row: ${message}`);
    return null;
  }
  return errorDelayMs(rec.poll.failures, api?.retryAfterMs, ctx.cadence);
}
