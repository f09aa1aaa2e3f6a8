import type { ContentfulStatusCode } from "hono/utils/http-status";
import { OpenAIError } from "../errors";

/** google.rpc.Code names Fireworks' control plane answers with, by HTTP status. */
const GRPC_BY_STATUS: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  409: "ALREADY_EXISTS",
  413: "INVALID_ARGUMENT",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
};

export interface GoogleErrorBody {
  error: { code: number; message: string; status: string };
}

/**
 * An error Fireworks words with a google.rpc status of its own (ALREADY_EXISTS,
 * FAILED_PRECONDITION, …). app.onError renders every error under /fireworks/v1 in Google's
 * shape with googleBody; `error.message` stays a string there, which the openai SDK reads.
 */
export class GoogleError extends OpenAIError {
  constructor(
    status: ContentfulStatusCode,
    readonly grpcStatus: string,
    message: string,
  ) {
    super(status, message, grpcStatus);
  }
}

/** Any emulator error (401, injected 429/5xx, zod 400s) as Fireworks would word its status. */
export function googleBody(error: OpenAIError): GoogleErrorBody {
  const grpc = error instanceof GoogleError ? error.grpcStatus : (GRPC_BY_STATUS[error.status] ?? "UNKNOWN");
  return { error: { code: error.status, message: error.message, status: grpc } };
}

export const invalidArgument = (message: string) => new GoogleError(400, "INVALID_ARGUMENT", message);
export const failedPrecondition = (message: string) => new GoogleError(400, "FAILED_PRECONDITION", message);
export const notFoundG = (message: string) => new GoogleError(404, "NOT_FOUND", message);
export const alreadyExists = (message: string) => new GoogleError(409, "ALREADY_EXISTS", message);

/** Fireworks resource ids: lowercase letters, digits and hyphens, 1–63 characters. */
export const RESOURCE_ID = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
