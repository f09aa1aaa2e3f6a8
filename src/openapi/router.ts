import { OpenAPIHono, type Hook, type RouteConfig } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { validationError } from "./validation-messages";

/** zod failures become one `validation_failed` error listing every issue with its path. */
export const validationHook: Hook<unknown, AppEnv, string, unknown> = (result) => {
  if (result.success) return;
  throw validationError(result.target === "json" || result.target === "form" ? "body" : result.target, result.error.issues);
};

/**
 * A router for one resource: an OpenAPI-described Hono sub-app with the shared validation hook.
 * Every route it registers also refuses an undeclared body type with a 415 that names the
 * accepted ones, and marks the request as begun when its handler starts: the idempotency
 * middleware keeps only the answers of requests that began (a refusal before is not final).
 */
export function createRouter(): OpenAPIHono<AppEnv> {
  const router = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const register = router.openapi;
  const wrapped = (route: RouteConfig, handler: (c: never) => unknown, hook?: unknown) => {
    const own = route.middleware === undefined ? [] : Array.isArray(route.middleware) ? route.middleware : [route.middleware];
    const gate = acceptedTypesGate(route);
    const began = (c: Parameters<MiddlewareHandler<AppEnv>>[0]) => {
      c.set("began", true);
      return handler(c as never);
    };
    return (register as (...args: unknown[]) => unknown)(
      { ...route, middleware: gate ? [gate, ...own] : own },
      began,
      hook,
    );
  };
  router.openapi = wrapped as unknown as typeof router.openapi;
  return router;
}

/**
 * A 415 naming the body types a route declares, before zod-openapi's own gate answers a bare
 * "Unsupported Media Type". Same rule as that gate: a declared type must match when a
 * Content-Type is sent; without one, only an empty body passes.
 */
function acceptedTypesGate(route: RouteConfig): MiddlewareHandler<AppEnv> | null {
  const declared = Object.keys(route.request?.body?.content ?? {});
  if (declared.length === 0) return null;
  const accepted = declared.map((t) => t.toLowerCase());
  return async (c, next) => {
    const contentType = c.req.header("Content-Type");
    const essence = contentType?.split(";")[0]!.trim().toLowerCase();
    const matches = essence !== undefined && accepted.some((t) => typeMatches(essence, t));
    if (!matches && (essence !== undefined || (await hasBody(c)))) {
      throw new ApiError(
        "unsupported_media_type",
        `${essence ? `Content-Type ${essence} is not accepted here` : "A body needs a Content-Type"}: send one of ${declared.join(", ")}.`,
        { details: { accepted: declared } },
      );
    }
    await next();
  };
}

function typeMatches(essence: string, declared: string): boolean {
  if (declared === "*/*") return true;
  if (declared === "application/json") return /^application\/([a-z.-]+\+)?json$/.test(essence);
  if (declared === "multipart/form-data" || declared === "application/x-www-form-urlencoded") {
    return essence === "multipart/form-data" || essence === "application/x-www-form-urlencoded";
  }
  if (declared.endsWith("/*")) return essence.startsWith(declared.slice(0, -1));
  return essence === declared;
}

/** Whether a body has any bytes, read without consuming it (the Idempotency-Key may have read it first). */
async function hasBody(c: Parameters<MiddlewareHandler<AppEnv>>[0]): Promise<boolean> {
  const raw = c.req.raw;
  if (raw.body === null) return false;
  if (raw.bodyUsed) return (await c.req.arrayBuffer()).byteLength > 0;
  const reader = raw.clone().body!.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return false;
      if (value.byteLength > 0) return true;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}
