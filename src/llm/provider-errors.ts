import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
} from "openai";
import { ApiError, markedRetryable } from "../errors";
import type { Provider } from "./catalog-schema";
import { backoffMs } from "../lib/backoff";

/** Longest wait honoured from Retry-After: a queue message can be delayed 24 h at most. */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

/**
 * Translates an error thrown by the OpenAI SDK (or anything thrown around a provider call) into
 * the ApiError the rest of Distillery acts on: retryable or final, with Retry-After kept.
 */
export function mapProviderError(err: unknown, provider: Provider | string): ApiError {
  if (err instanceof ApiError) return err;
  const details = (status?: number) => ({
    provider,
    ...(status !== undefined ? { upstream_status: status } : {}),
    ...(err instanceof APIError && err.requestID ? { upstream_request_id: err.requestID } : {}),
  });

  // Subclasses before their parents: a timeout is a connection error, everything is an APIError.
  if (err instanceof APIConnectionTimeoutError) {
    return new ApiError("upstream_timeout", `The request to ${provider} timed out.`, {
      details: details(),
      retryable: true,
      cause: err,
    });
  }
  if (err instanceof APIUserAbortError) {
    return new ApiError("upstream_error", `The request to ${provider} was aborted.`, {
      details: details(),
      retryable: true,
      cause: err,
    });
  }
  if (err instanceof APIConnectionError) {
    return new ApiError("upstream_unavailable", `Could not reach ${provider}.`, {
      details: details(),
      retryable: true,
      cause: err,
    });
  }
  if (err instanceof RateLimitError) {
    return new ApiError("rate_limited", `${provider} is rate-limiting the deployment: ${upstreamMessage(err)}`, {
      details: details(429),
      retryable: true,
      retryAfterMs: retryAfterMs(err.headers),
      cause: err,
    });
  }
  if (err instanceof AuthenticationError || err instanceof PermissionDeniedError) {
    // The provider's text may quote part of the key ("Incorrect API key provided: sk-ab***yz"):
    // it is kept out of the message and the details.
    return new ApiError("upstream_error", `The provider rejected the deployment's credentials for ${provider}.`, {
      details: details(err.status),
      retryable: false,
    });
  }
  if (err instanceof BadRequestError || err instanceof UnprocessableEntityError) {
    return new ApiError("bad_request", `${provider} rejected the request: ${upstreamMessage(err)}`, {
      details: { ...details(err.status), ...(err.param ? { param: err.param } : {}) },
      retryable: false,
      cause: err,
    });
  }
  if (err instanceof NotFoundError) {
    return new ApiError("bad_request", `Model or resource not found upstream: ${upstreamMessage(err)}`, {
      details: details(404),
      retryable: false,
      cause: err,
    });
  }
  if (err instanceof ConflictError) {
    return new ApiError("conflict", `${provider} reported a conflict: ${upstreamMessage(err)}`, {
      details: details(409),
      retryable: false,
      cause: err,
    });
  }
  if (err instanceof InternalServerError) {
    // 503 (unavailable) and 529 (overloaded) say "come back later"; other 5xx are faults.
    const unavailable = err.status === 503 || err.status === 529;
    return new ApiError(
      unavailable ? "upstream_unavailable" : "upstream_error",
      `${provider} answered ${err.status}: ${upstreamMessage(err)}`,
      { details: details(err.status), retryable: true, retryAfterMs: retryAfterMs(err.headers), cause: err },
    );
  }
  if (err instanceof APIError) {
    return new ApiError("upstream_error", `${provider} answered ${err.status ?? "an error"}: ${upstreamMessage(err)}`, {
      details: details(err.status),
      // No status: an error event inside a stream, as transient as a dropped connection.
      retryable: err.status === undefined || err.status === 408,
      cause: err,
    });
  }
  // Neither the SDK's nor ours: a fault on our side of the call (a URIError from a value nobody
  // checked, a bug), not the provider's. Retrying the same input repeats it, so it is final unless the
  // runtime marked it transient.
  return new ApiError("internal", `The call to ${provider} failed on our side.`, {
    details: details(),
    retryable: markedRetryable(err),
    cause: err,
  });
}

/** Runs a provider call and rethrows its failure as an ApiError (see mapProviderError). */
export async function callProvider<T>(provider: Provider | string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw mapProviderError(err, provider);
  }
}

/** Whether trying again may succeed. */
export function isRetryable(apiError: ApiError): boolean {
  return apiError.retryable;
}

export interface BackoffOptions {
  /** First retry's ceiling in ms (default 1 s); doubles with each attempt. */
  baseMs?: number;
  /** Largest delay in ms (default 5 min). */
  capMs?: number;
  /** Source of randomness in [0, 1) (tests pass a fixed one). */
  random?: () => number;
}

/**
 * How long to wait before retry number `attempt` (1 = the first retry): the provider's
 * Retry-After when known (up to 24 h), else exponential backoff with full jitter, capped.
 */
export function retryDelayMs(apiError: ApiError, attempt: number, opts: BackoffOptions = {}): number {
  if (apiError.retryAfterMs !== undefined) return Math.min(Math.max(0, apiError.retryAfterMs), MAX_RETRY_AFTER_MS);
  const { baseMs = 1_000, capMs = 300_000, random = Math.random } = opts;
  return backoffMs(Math.floor(attempt) - 1, { baseMs, capMs, jitter: "full" }, random);
}

/** Milliseconds from `retry-after-ms` or `retry-after` (seconds or an HTTP date), if present. */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  const ms = Number.parseFloat(headers?.get("retry-after-ms") ?? "");
  if (Number.isFinite(ms) && ms >= 0) return Math.ceil(ms);
  const value = headers?.get("retry-after")?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number.parseFloat(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const KEY_LIKE = /\b(sk|pk|fw|tgp|rk)[-_][A-Za-z0-9_*-]{6,}/g;

/** The provider's own message, without anything shaped like a key. */
function upstreamMessage(err: APIError): string {
  const body = err.error as { message?: unknown } | undefined;
  const text = typeof body?.message === "string" ? body.message : err.message;
  return text.replace(KEY_LIKE, "[redacted]").slice(0, 500);
}
