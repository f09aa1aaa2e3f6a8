import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { AppEnv } from "../env";
import { randomToken } from "../lib/ids";
import { logLine } from "../lib/log";
import { nowMs } from "../lib/clock";

/**
 * Client-supplied request ids are kept when they are short and plain. Not `hono/request-id`: its
 * fixed charset (`[A-Za-z0-9_=-]`) would replace ids with `.` or `:`, which callers send (a
 * `run:step` id is how the emulator and the tests tie a provider call to its run).
 */
const REQUEST_ID = /^[A-Za-z0-9._:\-]{1,128}$/;

/**
 * This isolate's prefix for the ids it makes (72 random bits, drawn once): ids from different
 * isolates differ by it, ids from one isolate by the counter after it. Ids are for tracing, not
 * secret, so a counter is enough and costs nothing on the hot path (a fresh random token per
 * request showed as 1.2 ms of a request in the profile).
 */
let prefix: string | null = null;
let counter = 0;

/** A new request id, `req_` + 12 random base64url characters (per isolate) + a base-36 counter. */
export function newRequestId(): string {
  prefix ??= randomToken(9);
  return `req_${prefix}${(counter++).toString(36)}`;
}

/**
 * Gives every request an id (the caller's `X-Request-Id` when valid), echoes it
 * on the response, and writes one JSON log line when the response is ready.
 */
export function requestContext(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = nowMs();
    const incoming = c.req.header("X-Request-Id");
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : newRequestId();
    c.set("requestId", requestId);
    await next();
    c.res.headers.set("X-Request-Id", requestId);
    const status = c.res.status;
    if (!writesLine(c.env.SERVED_LOG_SAMPLE_RATE, c.req.path, status)) return;
    logLine(status >= 500 ? "error" : "info", "request", {
      method: c.req.method,
      route: c.get("route") ?? safeRoutePath(c),
      tenant: c.get("auth")?.tenantId ?? null,
      status,
      duration_ms: nowMs() - started,
      request_id: requestId,
      error: c.get("errorCause"),
    });
  };
}

/**
 * Whether a request writes its line. Every one does, except a success under `/openai/`: a served
 * request's usage record already holds its id, tenant, model and tokens, and the platform's own
 * invocation log its status and duration, so a proxy's line per success would double the log volume
 * (billed per line) and, under `wrangler dev`, cost ~1.5 ms of CPU each (console output goes to
 * wrangler through the inspector). SERVED_LOG_SAMPLE_RATE (0–1, unset: 1) is the share kept.
 */
export function writesLine(rate: string | undefined, path: string, status: number, random = Math.random): boolean {
  if (status >= 400 || !path.startsWith("/openai/")) return true;
  const share = rate === undefined || rate.trim() === "" ? 1 : Number(rate);
  return !Number.isFinite(share) || share >= 1 || random() < share;
}

function safeRoutePath(c: Parameters<MiddlewareHandler<AppEnv>>[0]): string {
  try {
    const path = routePath(c, -1);
    return path === "/*" || path === "*" ? "(unmatched)" : path;
  } catch {
    return "(unmatched)";
  }
}
