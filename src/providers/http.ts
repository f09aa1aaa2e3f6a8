import type OpenAI from "openai";
import { APIError } from "openai";
import type { z } from "zod";
import { ApiError } from "../errors";
import { type ClientEnv, createClient, type FetchLike, mapProviderError, type Plane, type Provider } from "../llm";
import { sha256Hex } from "../lib/ids";
import { isPlainText, PLAIN_TEXT_MESSAGE } from "../lib/plain-text";
import { type MultipartBody, UploadSizeError } from "./multipart";

/** What every fine-tune provider is built with (see fineTuneProviderFor). */
export interface FineTuneProviderOptions {
  /** Sent as `X-Request-Id` on every call. */
  requestId: string;
  /** Per-call timeout in ms for everything but uploads (default: createClient's). */
  timeoutMs?: number;
  /** Per-request timeout in ms for upload requests (default 10 min). */
  uploadTimeoutMs?: number;
  /**
   * Files larger than this many bytes take the provider's large-file flow: OpenAI's Uploads API
   * (default 512 MB, its single-request limit), Fireworks' signed URL (default 150 MB). Together
   * has one flow.
   */
  largeFileBytes?: number;
  /** OpenAI Uploads API part size (default and maximum 64 MB). */
  partBytes?: number;
  /** Events asked for per page where the provider pages them (OpenAI; default 100). */
  eventPageSize?: number;
  /** Wraps the fetch the provider's calls go through (tracing, tests). */
  wrapFetch?: (fetch: FetchLike) => FetchLike;
}

export const DEFAULT_UPLOAD_TIMEOUT_MS = 10 * 60_000;

/**
 * The official SDK pointed at `provider`'s control plane, with non-OpenAI error bodies rewritten
 * so the SDK's APIError carries the provider's own message.
 */
export function controlClient(env: ClientEnv, provider: Provider, opts: FineTuneProviderOptions): OpenAI {
  const plane: Plane = "control";
  return createClient(env, provider, {
    requestId: opts.requestId,
    plane,
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    wrapFetch: (fetch) => readableErrors(opts.wrapFetch ? opts.wrapFetch(fetch) : fetch),
  });
}

/**
 * The SDK reads an error's message from `{"error": {"message"}}` only. Fireworks answers
 * `{"error": {"code": 409, "message", "status"}}` (fine) or gRPC-gateway `{"code": 5, "message"}`;
 * Together sometimes `{"message"}` or `{"error": "text"}`; those would read "404 status code
 * (no body)". This moves such a message to where the SDK looks, keeping the other fields.
 */
export function readableErrors(fetch: FetchLike): FetchLike {
  return async (input, init) => {
    const res = await fetch(input, init);
    if (res.ok || !(res.headers.get("content-type") ?? "").includes("json")) return res;
    const text = await res.text();
    let rewritten: unknown;
    try {
      rewritten = withErrorMessage(JSON.parse(text));
    } catch {
      rewritten = undefined;
    }
    const headers = new Headers(res.headers);
    headers.delete("content-length");
    headers.delete("content-encoding");
    return new Response(rewritten === undefined ? text : JSON.stringify(rewritten), {
      status: res.status,
      statusText: res.statusText,
      headers,
    });
  };
}

function withErrorMessage(body: unknown): unknown {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return undefined;
  const record = body as Record<string, unknown>;
  const error = record.error;
  if (typeof error === "object" && error !== null && typeof (error as { message?: unknown }).message === "string") return undefined;
  const message =
    typeof error === "string" ? error : typeof record.message === "string" ? record.message : typeof record.detail === "string" ? record.detail : undefined;
  if (message === undefined) return undefined;
  const { error: _dropped, ...rest } = record;
  return { error: { ...rest, message } };
}

/**
 * A provider job id as one URL path segment. Checked before it is encoded: `encodeURIComponent`
 * throws a URIError on a lone surrogate, which would surface as a provider failure; a control
 * character or a bidi override is no provider's id either. Either is the caller's mistake, a 400.
 */
export function jobPathSegment(provider: string, jobId: string): string {
  if (jobId === "" || !isPlainText(jobId)) {
    throw new ApiError("validation_failed", `Invalid ${provider} job id: it ${jobId === "" ? "is empty" : PLAIN_TEXT_MESSAGE}.`, {
      details: [{ path: "provider_job_id", message: jobId === "" ? "empty" : PLAIN_TEXT_MESSAGE }],
      retryable: false,
    });
  }
  return encodeURIComponent(jobId);
}

/** Runs a call about one job: the provider's 404 becomes our `not_found`, the rest mapProviderError. */
export async function callForJob<T>(provider: string, jobId: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof APIError && err.status === 404) throw jobNotFound(provider, jobId, err);
    throw mapProviderError(err, provider);
  }
}

/**
 * Runs an upload request: a file stream that was not the size declared is a final `bad_request`
 * (retrying the same input cannot help); anything else maps as any provider error.
 */
export async function callUpload<T>(provider: string, form: Pick<MultipartBody, "failure"> | null, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw uploadError(err, provider, form?.failure() ?? null);
  }
}

export function uploadError(err: unknown, provider: string, failure: UploadSizeError | null = null): ApiError {
  const sizeError = failure ?? (err instanceof UploadSizeError ? err : null);
  if (!sizeError) return mapProviderError(err, provider);
  return new ApiError("bad_request", `The file to upload to ${provider} does not match its declared size: ${sizeError.message}`, {
    details: { provider },
    retryable: false,
    cause: err,
  });
}

export function jobNotFound(provider: string, jobId: string, cause?: unknown): ApiError {
  return new ApiError("not_found", `The ${provider} provider job ${jobId} was not found.`, {
    details: { provider, provider_job_id: jobId },
    retryable: false,
    cause,
  });
}

/** Whether an error thrown by the SDK is the provider's answer with this status. */
export function isStatus(err: unknown, status: number): err is APIError {
  return err instanceof APIError && err.status === status;
}

/** Parses a provider's answer; a surprising body is a final upstream_error, not a crash later on. */
export function parseUpstream<S extends z.ZodType>(schema: S, value: unknown, provider: string, what: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? ` at ${issue.path.join(".")}` : "";
  return fail(`${provider} answered an unexpected ${what}${where}: ${issue?.message ?? "invalid"}.`, provider);
}

function fail(message: string, provider: string): never {
  throw new ApiError("upstream_error", message, { details: { provider }, retryable: false });
}

/** Unix seconds from an ISO timestamp, or null. */
export function isoSeconds(value: string | null | undefined): number | null {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
}

/**
 * A resource id derived from a caller key, for providers whose ids are `[a-z0-9-]`: a readable
 * slug of the key plus a hash of the exact key (keys differing only in case stay distinct).
 */
export async function derivedId(key: string, maxLength: number, prefix = ""): Promise<string> {
  const hash = (await sha256Hex(key)).slice(0, 10);
  const room = maxLength - prefix.length - hash.length - 1;
  const slug = key
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, Math.max(0, room))
    .replace(/-+$/, "");
  return `${prefix}${slug ? `${slug}-` : ""}${hash}`;
}
