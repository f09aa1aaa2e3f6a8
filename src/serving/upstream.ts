import type { Bindings } from "../env";
import { ApiError } from "../errors";
import { resolveEndpoint } from "../llm";
import type { ServedModel } from "./resolve";

/** How long the upstream may take to start answering before it counts as a timeout (fallback applies). */
export const UPSTREAM_TIMEOUT_MS = 60_000;

/** An upstream call that got an HTTP answer, or a failure that never did (connection, timeout). */
export type UpstreamResult = { ok: true; response: Response } | { ok: false; status: number | null; error: ApiError };

/**
 * POSTs `body` to the served model's OpenAI-compatible `path` (`/chat/completions`, `/embeddings`)
 * with the model's upstream name, by plain `fetch` rather than the SDK: the SDK would parse (and
 * for streams re-serialise) what we pass through as it comes. `signal` aborts it (the client left).
 */
export async function callUpstream(
  env: Bindings,
  served: Pick<ServedModel, "entry" | "base_url">,
  path: string,
  body: Record<string, unknown>,
  opts: { requestId: string; signal: AbortSignal; timeoutMs?: number },
): Promise<UpstreamResult> {
  const endpoint = resolveEndpoint(env, served.entry.provider);
  const baseURL = (served.base_url ?? endpoint.baseURL).replace(/\/+$/, "");
  // The timeout bounds the wait for the answer to start, not a stream's length: cleared once headers arrive.
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new Error("upstream timeout")), opts.timeoutMs ?? UPSTREAM_TIMEOUT_MS);
  try {
    const response = await endpoint.fetch(`${baseURL}${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${endpoint.apiKey}`, "X-Request-Id": opts.requestId },
      body: JSON.stringify({ ...body, model: served.entry.model }),
      signal: AbortSignal.any([opts.signal, timeout.signal]),
    });
    if (response.ok) return { ok: true, response };
    return { ok: false, status: response.status, error: await upstreamError(response) };
  } catch (err) {
    if (opts.signal.aborted) throw new ApiError("bad_request", "The client closed the request.", { cause: err });
    const timedOut = timeout.signal.aborted;
    return {
      ok: false,
      status: null,
      error: new ApiError(timedOut ? "upstream_timeout" : "upstream_unavailable", timedOut ? "The model did not answer in time." : "The model's provider could not be reached.", { cause: err }),
    };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The upstream's error as ours, with its message: a 4xx is the caller's to fix (429 keeps its
 * Retry-After); a 401/403 means our provider credentials are wrong, which is not the caller's key,
 * so it is a 502; a 5xx is an upstream failure.
 */
async function upstreamError(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => "");
  let message = `The model's provider answered ${response.status}.`;
  let code: string | null = null;
  try {
    const parsed = JSON.parse(text) as { error?: { message?: unknown; code?: unknown } | string; message?: unknown };
    const e = parsed.error;
    if (typeof e === "string") message = e;
    else if (e && typeof e.message === "string") message = e.message;
    else if (typeof parsed.message === "string") message = parsed.message;
    if (e && typeof e === "object" && typeof e.code === "string") code = e.code;
  } catch {
    // not JSON: keep the status line
  }
  const s = response.status;
  if (s === 429) {
    const retryAfter = Number(response.headers.get("retry-after"));
    return new ApiError("rate_limited", message, Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {});
  }
  if (s === 401 || s === 403) return new ApiError("upstream_error", `The model's provider refused Distillery's credentials (${s}).`);
  if (s === 404) return new ApiError(code === "model_not_found" ? "model_not_found" : "not_found", message);
  if (s === 409) return new ApiError("conflict", message);
  if (s === 413) return new ApiError("payload_too_large", message);
  if (s === 422) return new ApiError("unprocessable", message);
  if (s >= 400 && s < 500) return new ApiError("bad_request", message, { details: [{ path: code ?? "", message }] });
  if (s === 503) return new ApiError("upstream_unavailable", message);
  if (s === 504) return new ApiError("upstream_timeout", message);
  return new ApiError("upstream_error", message);
}

/** Whether a failure lets the teacher answer instead: a 5xx, a timeout or no connection (never a 4xx). */
export function fallbackWorthy(result: Extract<UpstreamResult, { ok: false }>): boolean {
  return result.status === null || result.status >= 500;
}
