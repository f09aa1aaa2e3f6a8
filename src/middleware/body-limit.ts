import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";

const FALLBACK_MAX_BYTES = 1024 * 1024;
const FALLBACK_MAX_DOCUMENT_BYTES = 50 * 1024 * 1024;

/** Document uploads have their own, larger limit; every other body the general one. */
function limitFor(c: Parameters<MiddlewareHandler<AppEnv>>[0]): number {
  const path = new URL(c.req.url).pathname.replace(/\/$/, "");
  if (c.req.method === "POST" && (path === "/api/documents" || /^\/api\/datasets\/[^/]+\/import$/.test(path))) {
    return Number(c.env.MAX_DOCUMENT_BYTES) || FALLBACK_MAX_DOCUMENT_BYTES;
  }
  return Number(c.env.MAX_BODY_BYTES) || FALLBACK_MAX_BYTES;
}

/**
 * Rejects bodies over the limit (`MAX_BODY_BYTES`, or `MAX_DOCUMENT_BYTES` for document
 * uploads and dataset imports) with 413, whether declared by Content-Length or streamed.
 */
export function limitBody(): MiddlewareHandler<AppEnv> {
  const cache = new Map<number, MiddlewareHandler>();
  return (c, next) => {
    const max = limitFor(c);
    let mw = cache.get(max);
    if (!mw) {
      mw = bodyLimit({
        maxSize: max,
        onError: () => {
          throw new ApiError("payload_too_large", `The request body is over the limit of ${max} bytes.`, {
            details: { max_bytes: max },
          });
        },
      });
      cache.set(max, mw);
    }
    return mw(c, next);
  };
}
