import { ApiError } from "../errors";

const encoder = new TextEncoder();

/** UTF-8 length, which is what Vectorize's byte limits count. */
export function utf8Bytes(text: string): number {
  return encoder.encode(text).byteLength;
}

/** A `validation_failed` error in the shape the HTTP layer uses: `details: [{path, message}]`. */
export function invalid(path: string, message: string, extra: Record<string, unknown> = {}): ApiError {
  return new ApiError("validation_failed", path ? `${path}: ${message}` : message, {
    details: [{ path, message, ...extra }],
  });
}
