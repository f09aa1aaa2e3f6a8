import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "./env";

/** Every error code Distillery answers with, and its HTTP status. */
export const ERROR_STATUS = {
  bad_request: 400,
  invalid_json: 400,
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  /** OpenAI's code for a model the caller may not use (`/openai/v1`): unknown, or another tenant's. */
  model_not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  idempotency_conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  rate_limited: 429,
  internal: 500,
  upstream_error: 502,
  upstream_unavailable: 503,
  upstream_timeout: 504,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ApiErrorOptions {
  details?: unknown;
  headers?: Record<string, string>;
  /**
   * Retryable by the caller (queues use this to pick retry vs. give up). Default: a 429 or an
   * upstream failure (502–504) is; `internal` (a fault of ours nobody has classified) is not, since
   * retrying the same input repeats the same fault.
   */
  retryable?: boolean;
  /** Milliseconds the caller should wait before retrying, when known. */
  retryAfterMs?: number;
  cause?: unknown;
}

/** The one error class: a code (which fixes the status), a message, optional details. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: ContentfulStatusCode;
  readonly details?: unknown;
  readonly headers: Record<string, string>;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;

  constructor(code: ErrorCode, message: string, options: ApiErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = "ApiError";
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.details = options.details;
    this.headers = { ...options.headers };
    this.retryable = options.retryable ?? (this.status === 429 || (this.status >= 500 && code !== "internal"));
    this.retryAfterMs = options.retryAfterMs;
    if (options.retryAfterMs !== undefined && !this.headers["Retry-After"]) {
      this.headers["Retry-After"] = String(Math.max(1, Math.ceil(options.retryAfterMs / 1000)));
    }
  }
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown; request_id: string };
}

/** OpenAI's own error body, so that OpenAI SDK clients of `/openai/*` read our errors. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

const OPENAI_TYPES: Partial<Record<number, string>> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "invalid_request_error",
  405: "invalid_request_error",
  409: "invalid_request_error",
  413: "invalid_request_error",
  415: "invalid_request_error",
  422: "invalid_request_error",
  429: "rate_limit_error",
};

/**
 * Turns anything thrown into an ApiError; unknown errors become `internal` with no leak of their text,
 * not retryable unless the runtime marked the error so (workerd sets `retryable: true` on the
 * transient errors of Durable Objects and other bindings).
 */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof HTTPException) {
    const status = err.status;
    if (status === 400 && /json/i.test(err.message)) {
      return new ApiError("invalid_json", "The request body is not valid JSON: send one JSON object, as /docs shows for this route.");
    }
    if (status === 413) return new ApiError("payload_too_large", err.message || "The request body is too large.");
    const code = (Object.entries(ERROR_STATUS).find(([, s]) => s === status)?.[0] ?? "bad_request") as ErrorCode;
    return new ApiError(code, err.message || code.replace(/_/g, " "));
  }
  return new ApiError("internal", INTERNAL_MESSAGE, { cause: err, retryable: markedRetryable(err) });
}

/** Whether the runtime flagged an error as transient (`err.retryable === true`). */
export function markedRetryable(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { retryable?: unknown }).retryable === true;
}

/**
 * What went wrong, for the log line beside the request id: the error's code and message, then
 * each cause beneath it (`name: message`), so an `internal` failure is never logged without why.
 */
export function causeOf(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e !== undefined && e !== null && depth < 4; depth++) {
    if (e instanceof ApiError) parts.push(`${e.code}: ${e.message}`);
    else if (e instanceof Error) parts.push(`${e.name}: ${e.message}`);
    else parts.push(String(e));
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts.join(" <- ").slice(0, 1000);
}

/**
 * The message a user reads for a failure: an ApiError's own (it already says what to do), or for
 * an internal one, which kind of fault it was, the request id its cause is logged under, and
 * what to do (its text stays in the log: it may quote internals).
 */
export function failureMessage(err: ApiError, requestId: string): string {
  if (err.code !== "internal" || !(err.cause instanceof Error) || err.message !== INTERNAL_MESSAGE) return err.message;
  return `Failed on our side (${err.cause.name}); the cause is logged with request id ${requestId}. Try again, and report that id if it fails again.`;
}

const INTERNAL_MESSAGE = "Internal error.";

/** Renders an error in Distillery's shape, or OpenAI's under `/openai/*`. */
export function errorResponse(c: Context<AppEnv>, err: ApiError): Response {
  const requestId = c.get("requestId") ?? "unknown";
  const headers = { ...err.headers, "X-Request-Id": requestId };
  if (new URL(c.req.url).pathname.startsWith("/openai/")) {
    const body: OpenAIErrorBody = {
      error: {
        message: err.message,
        type: OPENAI_TYPES[err.status] ?? "server_error",
        param: paramOf(err.details),
        code: err.code,
      },
    };
    return c.json(body, err.status, headers);
  }
  const body: ErrorBody = {
    error: {
      code: err.code,
      message: err.message,
      ...(err.details === undefined ? {} : { details: err.details }),
      request_id: requestId,
    },
  };
  return c.json(body, err.status, headers);
}

function paramOf(details: unknown): string | null {
  if (Array.isArray(details) && details.length > 0) {
    const first = details[0] as { path?: unknown };
    if (typeof first?.path === "string" && first.path) return first.path;
  }
  return null;
}

/** Hono `onError`: one place where thrown errors become responses (and internal ones are logged). */
export function onError(err: Error, c: Context<AppEnv>): Response {
  const apiError = toApiError(err);
  if (apiError.code === "internal") {
    c.set("errorCause", causeOf(err));
    const requestId = c.get("requestId") ?? "unknown";
    return errorResponse(c, new ApiError("internal", failureMessage(apiError, requestId), { cause: err }));
  }
  return errorResponse(c, apiError);
}
