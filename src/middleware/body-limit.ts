import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";

const FALLBACK_MAX_BYTES = 10 * 1024 * 1024;

/** Rejects bodies over `MAX_BODY_BYTES` with 413, whether declared by Content-Length or streamed. */
export function limitBody(): MiddlewareHandler<AppEnv> {
  const cache = new Map<number, MiddlewareHandler>();
  return (c, next) => {
    const max = Number(c.env.MAX_BODY_BYTES) || FALLBACK_MAX_BYTES;
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
