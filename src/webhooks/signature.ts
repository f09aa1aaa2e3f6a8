/**
 * Webhook signatures, Stripe-style. Each delivery carries
 *
 *   Distillery-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>
 *
 * where the HMAC key is the UTF-8 bytes of the whole signing secret (`whsec_…`, prefix
 * included) and the signed message is `<t>.<raw request body>`. A receiver recomputes the
 * HMAC over the body bytes exactly as received (before any JSON parsing), compares it in
 * constant time with each `v1` value (several may appear while a secret is rotated), and
 * refuses a timestamp more than five minutes from its clock, which bounds replays. Retries
 * are at-least-once: dedupe on the `Distillery-Event-Id` header.
 */
import { randomToken } from "../lib/ids";

export const SIGNATURE_HEADER = "Distillery-Signature";
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** A new signing secret: `whsec_` and 32 random bytes as base64url. */
export function newSigningSecret(): string {
  return `whsec_${randomToken(32)}`;
}

/** The `Distillery-Signature` header value for `body` sent at `timestamp` (unix seconds). */
export async function signWebhook(secret: string, timestamp: number, body: string): Promise<string> {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new RangeError("timestamp must be a non-negative integer number of seconds");
  }
  const mac = await hmacSha256(secret, `${timestamp}.${body}`);
  return `t=${timestamp},v1=${toHex(mac)}`;
}

export interface VerifyOptions {
  /** Largest accepted distance between the header's `t` and `now`, in seconds. */
  toleranceSeconds?: number;
  /** The receiver's clock in unix seconds; defaults to the current time. */
  now?: number;
}

/** True when `header` holds a `v1` HMAC of `body` under `secret` with a timestamp within tolerance. */
export async function verifyWebhook(secret: string, header: string, body: string, options: VerifyOptions = {}): Promise<boolean> {
  const { toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS, now = Math.floor(Date.now() / 1000) } = options;
  const parsed = parseSignatureHeader(header);
  if (!parsed || parsed.signatures.length === 0) return false;
  if (Math.abs(now - parsed.timestamp) > toleranceSeconds) return false;
  const expected = new TextEncoder().encode(toHex(await hmacSha256(secret, `${parsed.timestamp}.${body}`)));
  let ok = false;
  for (const candidate of parsed.signatures) {
    // Every candidate is compared (no early exit); lengths are public (64 hex digits).
    if (constantTimeEqual(expected, new TextEncoder().encode(candidate))) ok = true;
  }
  return ok;
}

/** The timestamp and the `v1` values of a signature header; null when `t` is missing, repeated or not an integer. */
export function parseSignatureHeader(header: string): { timestamp: number; signatures: string[] } | null {
  let timestamp: number | null = null;
  const signatures: string[] = [];
  for (const item of header.split(",")) {
    const eq = item.indexOf("=");
    if (eq < 0) continue;
    const key = item.slice(0, eq).trim();
    const value = item.slice(eq + 1).trim();
    if (key === "t") {
      if (timestamp !== null || !/^\d{1,15}$/.test(value)) return null;
      timestamp = Number(value);
    } else if (key === "v1" && value) {
      signatures.push(value.toLowerCase());
    }
  }
  return timestamp === null ? null : { timestamp, signatures };
}

async function hmacSha256(secret: string, message: string): Promise<ArrayBuffer> {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", enc.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return crypto.subtle.sign("HMAC", key, enc.encode(message));
}

function toHex(buf: ArrayBuffer): string {
  return [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  // workerd has timingSafeEqual; other runtimes (a receiver copying this) use the loop.
  const subtle = crypto.subtle as SubtleCrypto & { timingSafeEqual?: (x: Uint8Array, y: Uint8Array) => boolean };
  if (typeof subtle.timingSafeEqual === "function") return subtle.timingSafeEqual(a, b);
  let diff = 0;
  for (let i = 0; i < a.byteLength; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
