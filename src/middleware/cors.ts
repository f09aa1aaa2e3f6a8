import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import type { AppEnv } from "../env";

/** Response headers a browser client may read: what its retries and replays depend on. */
const EXPOSED = ["X-Request-Id", "Retry-After", "Idempotent-Replayed", "Distillery-Snapshot"];

/**
 * CORS for the API (Hono's middleware), from `CORS_ORIGINS`: `*` for any origin, a comma-separated
 * list of origins, or empty for no CORS at all. Mounted before authentication, so a browser's
 * preflight (`OPTIONS`, which carries no key) is answered, not refused with a 401. The API is
 * authenticated by a bearer key, never a cookie, so credentials are never allowed.
 */
export function apiCors(): MiddlewareHandler<AppEnv> {
  const handler = cors({
    origin: (origin, c) => allowedOrigin(c.env.CORS_ORIGINS, origin),
    allowMethods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
    exposeHeaders: EXPOSED,
    maxAge: 600,
  });
  return async (c, next) => {
    if (!c.env.CORS_ORIGINS?.trim()) return next();
    return handler(c, next);
  };
}

/** The `Access-Control-Allow-Origin` for a request's origin under a `CORS_ORIGINS` setting, or null. */
export function allowedOrigin(setting: string | undefined, origin: string): string | null {
  const allowed = (setting ?? "").split(",").map((o) => o.trim()).filter(Boolean);
  if (allowed.includes("*")) return "*";
  return origin && allowed.includes(origin) ? origin : null;
}
