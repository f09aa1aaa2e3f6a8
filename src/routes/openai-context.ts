import type { Context } from "hono";
import { tenantHandle } from "../auth/middleware";
import type { AppEnv } from "../env";
import type { ServeContext } from "../serving/chat";

/** What src/serving needs of a `/openai/v1` request (every OpenAI-shaped route builds it the same way). */
export function serveContext(c: Context<AppEnv>): ServeContext {
  return {
    env: c.env,
    tenant: tenantHandle(c),
    requestId: c.get("requestId"),
    // Aborts when the client disconnects (compatibility flag enable_request_signal).
    signal: c.req.raw.signal,
    waitUntil: (p) => c.executionCtx.waitUntil(p),
    headers: c.req.raw.headers,
  };
}
