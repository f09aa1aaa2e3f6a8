import type { MiddlewareHandler } from "hono";
import { OpenAIError } from "../errors";
import { newRequestId } from "../ids";
import type { AppEnv, Services } from "../services";
import { drawFault, faultError, fingerprint } from "./faults";
import { DEFAULT_RUN } from "./store";

/**
 * Request id (echoed from X-Request-Id, else generated) and the request's run:
 * X-Emulator-Run, else the X-Request-Id part before the first ":" when such a run is
 * configured, else "default".
 */
export function requestContext(services: Services): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const requestId = c.req.header("x-request-id") || newRequestId();
    let name = c.req.header("x-emulator-run")?.trim();
    if (!name) {
      const prefix = c.req.header("x-request-id")?.split(":")[0]?.trim();
      if (prefix && services.runs.isConfigured(prefix)) name = prefix;
    }
    c.set("requestId", requestId);
    c.set("run", services.runs.get(name || DEFAULT_RUN));
    await next();
    // A handler that answered (often an error) without reading the body: drain it, or workerd
    // reports "Can't read from request stream after response has been sent".
    if (c.req.raw.body && !c.req.raw.bodyUsed) await c.req.raw.arrayBuffer().catch(() => undefined);
    c.res.headers.set("x-request-id", requestId);
  };
}

/** OpenAI's 401 when the Authorization header is missing or not a non-empty Bearer token. */
export const requireBearer: MiddlewareHandler<AppEnv> = async (c, next) => {
  const auth = c.req.header("authorization") ?? "";
  const token = /^Bearer\s+(.+)$/i.exec(auth)?.[1]?.trim();
  if (!auth) {
    throw new OpenAIError(
      401,
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.",
      "invalid_request_error",
      null,
      null,
    );
  }
  if (!token) throw new OpenAIError(401, "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.", "invalid_request_error", null, "invalid_api_key");
  await next();
};

/** Collection segments whose next segment is a caller-chosen id (Fireworks' resource names). */
const NAMED_AFTER = new Set(["accounts", "datasets", "supervisedFineTuningJobs", "_signed", "deployments", "deployedModels"]);

/**
 * "/v1/files/file-abc/content" → "/v1/files/:id/content" and
 * "/fireworks/v1/accounts/a/datasets/d:upload" → "…/accounts/:account/datasets/:id:upload",
 * so stats group by endpoint.
 */
export function endpointKey(method: string, path: string): string {
  const models = /^(\/(?:together\/|fireworks\/inference\/)?v1\/models)\/.+/.exec(path);
  if (models) return `${method} ${models[1]}/:id`;
  const segments = path.split("/");
  const normalised = segments.map((seg, i) => {
    const prev = segments[i - 1] ?? "";
    if (NAMED_AFTER.has(prev)) {
      const verb = prev === "accounts" ? "" : /:[A-Za-z]+$/.exec(seg)?.[0] ?? "";
      return prev === "accounts" ? ":account" : `:id${verb}`;
    }
    return /^(?:file-|ftjob-|ftckpt|ft-|upload_)/.test(seg) ? ":id" : seg;
  });
  return `${method} ${normalised.join("/")}`;
}

/** Per /v1 request: count it, wait the run's latency, then maybe inject a scheduled fault. */
export function runEffects(services: Services): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const run = c.get("run");
    const url = new URL(c.req.url);
    services.runs.bump(run.name, "requests", endpointKey(c.req.method, url.pathname));
    if (run.config.latency_ms) await new Promise((resolve) => setTimeout(resolve, run.config.latency_ms));
    if (run.config.faults) {
      // Multipart bodies carry a random boundary, so only the method and path identify them.
      const type = c.req.header("content-type") ?? "";
      const body = c.req.method !== "GET" && !type.startsWith("multipart/") ? await c.req.text() : "";
      const print = fingerprint(c.req.method, url.pathname + url.search, body);
      const status = drawFault(run.config.faults, print, services.runs.nextOccurrence(run.name, print));
      if (status !== null) {
        services.runs.bump(run.name, "faults", String(status));
        throw faultError(status);
      }
    }
    await next();
    // A provider's Date header is its clock: here the run's emulated one, so a client can read
    // absolute times such as OpenAI's `estimated_finish` against the clock that wrote them.
    c.header("date", new Date(services.runs.now(run.name)).toUTCString());
  };
}
