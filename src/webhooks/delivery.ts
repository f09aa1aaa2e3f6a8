/**
 * One webhook delivery attempt and the backoff between attempts. The fine-tune job's
 * Durable Object calls `deliverWebhook` from its alarm and, on a retryable failure, re-arms
 * the alarm `nextWebhookDelayMs(attempt)` later; `null` means give up.
 *
 * Request: `POST <url>` with the JSON payload and the headers
 *   content-type: application/json
 *   user-agent: Distillery-Webhooks/1
 *   Distillery-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>"> (see webhook-signature.ts)
 *   Distillery-Event-Id: <event id>  (the same on every retry: delivery is at-least-once)
 */
import { backoffMs } from "../lib/backoff";
import { SIGNATURE_HEADER, signWebhook } from "./signature";

export const EVENT_ID_HEADER = "Distillery-Event-Id";
export const WEBHOOK_USER_AGENT = "Distillery-Webhooks/1";
/** Attempts in all, the first included. */
export const MAX_WEBHOOK_ATTEMPTS = 8;
const BASE_DELAY_MS = 30_000;
const MAX_DELAY_MS = 60 * 60_000;
const MIN_DELAY_MS = 1_000;

export type WebhookEventType = "fine_tune.job.succeeded" | "fine_tune.job.failed" | "fine_tune.job.cancelled";

/** The body of a job webhook, filled in by the job's Durable Object. */
export interface WebhookPayload {
  /** The event id, also sent as `Distillery-Event-Id`. */
  id: string;
  type: WebhookEventType;
  /** Unix seconds when the event happened (not when this attempt was made). */
  created: number;
  data: {
    job: {
      id: string;
      state: string;
      provider: string;
      provider_job_id: string | null;
      fine_tuned_model: string | null;
      error: { code: string; message: string } | null;
      dataset: string;
      base_model: string;
    };
  };
}

export type DeliveryResult =
  | { ok: true; status: number }
  | { ok: false; retryable: boolean; status?: number; error: string };

export interface DeliverWebhookOptions {
  /** A URL already accepted by `checkWebhookUrl`. */
  url: string | URL;
  secret: string;
  payload: WebhookPayload;
  eventId: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
  /** Clock in milliseconds, for the signature's timestamp. */
  now?: () => number;
}

/** Makes one signed POST; never throws, and never puts the secret or the URL in its result. */
export async function deliverWebhook(options: DeliverWebhookOptions): Promise<DeliveryResult> {
  const { url, secret, payload, eventId, fetch: doFetch = fetch, timeoutMs = 10_000, now = Date.now } = options;
  const body = JSON.stringify(payload);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const signature = await signWebhook(secret, Math.floor(now() / 1000), body);
    const res = await doFetch(String(url), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": WEBHOOK_USER_AGENT,
        [SIGNATURE_HEADER]: signature,
        [EVENT_ID_HEADER]: eventId,
      },
      body,
      // A redirect could lead to a host checkWebhookUrl never saw: report it, don't follow it.
      redirect: "manual",
      signal: controller.signal,
    });
    // The receiver's body is not read; cancel it so the connection is released.
    await res.body?.cancel().catch(() => {});
    return resultOf(res.status);
  } catch (err) {
    if (controller.signal.aborted) {
      return { ok: false, retryable: true, error: `timed out after ${timeoutMs} ms` };
    }
    const detail = err instanceof Error ? `${err.name}: ${err.message}` : "unknown error";
    return { ok: false, retryable: true, error: redact(`network error: ${detail}`, secret) };
  } finally {
    clearTimeout(timer);
  }
}

function resultOf(status: number): DeliveryResult {
  if (status >= 200 && status < 300) return { ok: true, status };
  if (status >= 300 && status < 400) {
    return { ok: false, retryable: false, status, error: `redirect (HTTP ${status}) not followed` };
  }
  const retryable = status === 408 || status === 429 || status >= 500;
  return { ok: false, retryable, status, error: `HTTP ${status}` };
}

function redact(text: string, secret: string): string {
  return secret ? text.split(secret).join("[redacted]") : text;
}

/**
 * Delay before the attempt after attempt number `attempt` (1-based) failed: full jitter
 * under a ceiling of 30 s doubling per attempt, capped at 1 h, at least 1 s; `null` once
 * `MAX_WEBHOOK_ATTEMPTS` attempts have been made.
 */
export function nextWebhookDelayMs(attempt: number, random: () => number = Math.random): number | null {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError("attempt must be an integer >= 1");
  if (attempt >= MAX_WEBHOOK_ATTEMPTS) return null;
  return backoffMs(attempt - 1, { baseMs: BASE_DELAY_MS, capMs: MAX_DELAY_MS, jitter: "full", minMs: MIN_DELAY_MS }, random);
}
