/**
 * Webhook signatures in the Standard Webhooks format (https://www.standardwebhooks.com/), which
 * the `openai` SDK's `webhooks.unwrap()`, the `standardwebhooks` packages and Svix verify. Each
 * delivery carries
 *
 *   webhook-id: <message id, the same on every retry of one event to one endpoint>
 *   webhook-timestamp: <unix seconds of this attempt>
 *   webhook-signature: v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<raw body>">
 *
 * keyed by the bytes of the signing secret `whsec_<base64>` (the part after the prefix, decoded).
 * While a secret is being rotated the header holds two signatures, space-separated, one per
 * secret; a receiver accepts the delivery when any one matches. The HMAC is the maintained
 * `standardwebhooks` package's, not ours.
 */
import { Webhook } from "standardwebhooks";

export const WEBHOOK_ID_HEADER = "webhook-id";
export const WEBHOOK_TIMESTAMP_HEADER = "webhook-timestamp";
export const WEBHOOK_SIGNATURE_HEADER = "webhook-signature";

const SECRET_PREFIX = "whsec_";
/** 32 random bytes: Standard Webhooks asks for 24 to 64. */
const SECRET_BYTES = 32;

/** A new signing secret: `whsec_` and 32 random bytes as base64. */
export function newSigningSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(SECRET_BYTES));
  return SECRET_PREFIX + btoa(String.fromCharCode(...bytes));
}

/**
 * The HMAC key a secret stands for. Secrets issued before the Standard Webhooks format were
 * base64url without padding: they are read as the same bytes (see CHANGELOG.md).
 */
export function signingKey(secret: string): Uint8Array {
  const b64 = (secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret).replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
  const text = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(text, (ch) => ch.charCodeAt(0));
}

/**
 * The three Standard Webhooks headers for `body` sent as message `webhookId` at `timestamp` (unix
 * seconds), signed with every secret in `secrets` (the current one first).
 */
export function webhookHeaders(webhookId: string, timestamp: number, body: string, secrets: readonly string[]): Record<string, string> {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new RangeError("timestamp must be a non-negative integer number of seconds");
  }
  if (secrets.length === 0) throw new RangeError("at least one secret is needed");
  const at = new Date(timestamp * 1000);
  const signatures = secrets.map((secret) => new Webhook(signingKey(secret), { format: "raw" }).sign(webhookId, at, body));
  return {
    [WEBHOOK_ID_HEADER]: webhookId,
    [WEBHOOK_TIMESTAMP_HEADER]: String(timestamp),
    [WEBHOOK_SIGNATURE_HEADER]: signatures.join(" "),
  };
}
