import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { safeEqual } from "../lib/ids";
import { KEY_PREFIX, verifyKey } from "./api-keys";

function bearer(header: string | undefined): string | null {
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1] ?? null;
}

/** Requires a tenant API key; the tenant comes from the key, never from the URL or body. */
export function tenantAuth(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const key = bearer(c.req.header("Authorization"));
    if (!key) throw new ApiError("unauthorized", "Missing API key: send `Authorization: Bearer <key>`.");
    const auth = await verifyKey(c.env, key);
    if (!auth) throw new ApiError("unauthorized", "Invalid or revoked API key.");
    c.set("auth", auth);
    await next();
  };
}

/** Requires the operator's `ADMIN_TOKEN`. */
export function adminAuth(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const expected = c.env.ADMIN_TOKEN;
    if (!expected) throw new ApiError("forbidden", "The admin API is disabled: the ADMIN_TOKEN secret is not set.");
    const token = bearer(c.req.header("Authorization"));
    if (!token) throw new ApiError("unauthorized", "Missing admin token: send `Authorization: Bearer <ADMIN_TOKEN>`.");
    if (!(await safeEqual(token, expected))) {
      if (token.startsWith(KEY_PREFIX)) throw new ApiError("forbidden", "Tenant API keys cannot call operator routes.");
      throw new ApiError("unauthorized", "Invalid admin token.");
    }
    await next();
  };
}

/** The authenticated tenant of a request behind `tenantAuth()`. */
export function tenantOf(c: { get(key: "auth"): AppEnv["Variables"]["auth"] }): string {
  const auth = c.get("auth");
  if (!auth) throw new ApiError("unauthorized", "This route needs a tenant API key.");
  return auth.tenantId;
}
