/**
 * One webhook delivery attempt and the backoff between attempts. The caller keeps the delivery's
 * state (a fine-tune job's object for its own `webhook_url`, the Tenant object for the tenant's
 * endpoints) and, on a retryable failure, tries again `nextWebhookDelayMs(attempt)` later; `null`
 * means give up.
 *
 * Request: `POST <url>` with the event as JSON and the headers
 *   content-type: application/json
 *   user-agent: Distillery-Webhooks/1
 *   webhook-id, webhook-timestamp, webhook-signature (Standard Webhooks, see signature.ts); the
 *   webhook-id is the same on every retry: delivery is at-least-once, receivers dedupe on it.
 */
import { backoffMs } from "../lib/backoff";
import type { WebhookEvent } from "./events";
import { webhookHeaders } from "./signature";

export const WEBHOOK_USER_AGENT = "Distillery-Webhooks/1";
/** Attempts in all, the first included. */
export const MAX_WEBHOOK_ATTEMPTS = 8;
const BASE_DELAY_MS = 30_000;
const MAX_DELAY_MS = 60 * 60_000;
const MIN_DELAY_MS = 1_000;

export type DeliveryResult =
  | { ok: true; status: number }
  | { ok: false; retryable: boolean; status?: number; error: string };

export interface DeliverWebhookOptions {
  /** A URL already accepted by `checkWebhookUrl`. */
  url: string | URL;
  /** The endpoint's signing secrets, the current one first (two while a secret is rotated). */
  secrets: readonly string[];
  event: WebhookEvent<string, unknown>;
  /** The message id: stable per event and endpoint, so a retry is recognisable. */
  webhookId: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
  /** Clock in milliseconds, for the signature's timestamp. */
  now?: () => number;
}

/** Makes one signed POST; never throws, and never puts a secret or the URL in its result. */
export async function deliverWebhook(options: DeliverWebhookOptions): Promise<DeliveryResult> {
  const { url, secrets, event, webhookId, fetch: doFetch = fetch, timeoutMs = 10_000, now = Date.now } = options;
  const body = JSON.stringify(event);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const res = await doFetch(String(url), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": WEBHOOK_USER_AGENT,
        ...webhookHeaders(webhookId, Math.floor(now() / 1000), body, secrets),
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
    return { ok: false, retryable: true, error: redact(`network error: ${detail}`, secrets) };
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

function redact(text: string, secrets: readonly string[]): string {
  return secrets.reduce((t, secret) => (secret ? t.split(secret).join("[redacted]") : t), text);
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
