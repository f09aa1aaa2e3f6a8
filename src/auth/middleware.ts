import type { MiddlewareHandler } from "hono";
import type { TenantHandle } from "../durable/tenant";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { safeEqual } from "../lib/ids";
import { KEY_PREFIX, verifyKey } from "./api-keys";

function bearer(header: string | undefined): string | null {
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1] ?? null;
}

/**
 * Requires a tenant API key; the tenant comes from the key, never from the URL or body. The
 * handle on the tenant's object that checked the key serves the request (`tenantHandle(c)`),
 * and is disposed once the handler is done.
 */
export function tenantAuth(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const key = bearer(c.req.header("Authorization"));
    if (!key) throw new ApiError("unauthorized", "Missing API key: send `Authorization: Bearer <key>`.");
    const verified = await verifyKey(c.env, key);
    if (!verified) throw new ApiError("unauthorized", "Invalid or revoked API key.");
    using tenant = verified.tenant;
    c.set("auth", verified.auth);
    c.set("tenant", tenant);
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

/** The authenticated tenant's Durable Object, for the request behind `tenantAuth()` (not for work that outlives it). */
export function tenantHandle(c: { get(key: "tenant"): AppEnv["Variables"]["tenant"] }): TenantHandle {
  const tenant = c.get("tenant");
  if (!tenant) throw new ApiError("unauthorized", "This route needs a tenant API key.");
  return tenant;
}
