import type { MiddlewareHandler } from "hono";
import { openTenant } from "../durable/tenant";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { sha256Hex } from "../lib/ids";
import { checkReplay } from "./replay-check";

/** Operator (admin) requests keep their idempotency records in a reserved Tenant object. */
const OPERATOR_SCOPE = "__operator__";
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;
/** Answers larger than this are not stored (a create answer is small; a repeat then re-runs). */
const MAX_STORED_BYTES = 512 * 1024;

/**
 * `Idempotency-Key` for POSTs that create things or spend money, as payment APIs define it:
 * a repeat with the same key and request (body and content type) replays the first answer
 * (with `Idempotent-Replayed: true`); the same key with another request is a 409, and so is a
 * twin that arrives while the first still runs. Only the answers of requests that began
 * executing are kept: a refusal before the handler (content type, validation) changed
 * nothing, so a corrected retry with the same key runs. 5xx and 429 answers are not kept
 * either, so a retry after a failure runs again.
 */
export function idempotent(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const key = c.req.header("Idempotency-Key");
    if (key === undefined) return next();
    if (!KEY_FORMAT.test(key)) {
      throw new ApiError("bad_request", "Idempotency-Key must be 1 to 255 visible ASCII characters.");
    }
    const body = await c.req.arrayBuffer();
    const fingerprint = await requestFingerprint(c.req.raw, body);
    // A tenant's records live in its object (the request's handle); the operator's in a reserved one.
    using operator = c.get("tenant") ? null : openTenant(c.env, OPERATOR_SCOPE);
    const records = (c.get("tenant") ?? operator!).idempotency;
    // A mismatch or a reservation still held is an idempotency_conflict, thrown by the object.
    const replay = await records.begin(key, fingerprint);
    if (replay) {
      // Accepted work that has since failed or stalled is said so, not replayed as accepted.
      await checkReplay(c, replay);
      const headers = new Headers({ "Idempotent-Replayed": "true" });
      if (replay.contentType) headers.set("Content-Type", replay.contentType);
      return new Response(replay.body, { status: replay.status, headers });
    }
    await next();
    const status = c.res.status;
    const final = c.get("began") === true && status < 500 && status !== 429;
    const text = final ? await c.res.clone().text() : null;
    if (text === null || text.length > MAX_STORED_BYTES) {
      await records.release(key);
      return;
    }
    await records.complete(key, { status, contentType: c.res.headers.get("Content-Type"), body: text });
  };
}

/** What the handler reads: method, path and query, the body's content type, and the body. */
export async function requestFingerprint(request: Request, body: ArrayBuffer): Promise<string> {
  const url = new URL(request.url);
  const contentType = request.headers.get("Content-Type") ?? "";
  const head = new TextEncoder().encode(`${request.method} ${url.pathname}${url.search}\n${contentType}\n`);
  const all = new Uint8Array(head.length + body.byteLength);
  all.set(head);
  all.set(new Uint8Array(body), head.length);
  return sha256Hex(all);
}
