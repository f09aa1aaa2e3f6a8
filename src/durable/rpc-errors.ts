import { ApiError, ERROR_STATUS, type ErrorCode } from "../errors";
import { wrapRpcMethods } from "./rpc-methods";

/**
 * One way for an error to cross a Durable Object boundary, for every object.
 *
 * Objects throw ApiError. Its class never survives RPC (the caller gets a plain Error), and its
 * own properties survive only under workerd's enhanced error serialization (the default from the
 * 2026-04-21 compatibility date); the message always survives. So each object's RPC methods are
 * wrapped once (`throwsAcrossRpc`) to rethrow an ApiError as an Error whose message carries its
 * fields after a tag, and callers reach objects only through `remote()`, which rebuilds the
 * ApiError from that tag (never from `instanceof`): code, status, message, details, headers,
 * retryable and retryAfterMs, whatever the runtime's error serialization.
 */
const TAG = " ⟦ApiError⟧";

interface Carried {
  code: ErrorCode;
  message: string;
  details?: unknown;
  headers: Record<string, string>;
  retryable: boolean;
  retryAfterMs?: number;
}

/** Object side: an ApiError as an Error that crosses RPC with its fields (others unchanged). */
export function toRpcError(err: unknown): unknown {
  if (!(err instanceof ApiError)) return err;
  const carried: Carried = {
    code: err.code,
    message: err.message,
    details: err.details,
    headers: err.headers,
    retryable: err.retryable,
    ...(err.retryAfterMs === undefined ? {} : { retryAfterMs: err.retryAfterMs }),
  };
  // The readable part first: a log line that shows the raw error still makes sense.
  return new Error(`${err.code}: ${err.message}${TAG}${JSON.stringify(carried)}`);
}

/** Caller side: the ApiError an error from an object stands for, or null when it carries none. */
export function fromRpcError(err: unknown): ApiError | null {
  const message = err instanceof Error ? err.message : typeof err === "object" && err ? String((err as { message?: unknown }).message) : "";
  const at = message.indexOf(TAG);
  if (at < 0) return null;
  let carried: Carried;
  try {
    carried = JSON.parse(message.slice(at + TAG.length)) as Carried;
  } catch {
    return null;
  }
  if (!(carried.code in ERROR_STATUS)) return null;
  return new ApiError(carried.code, carried.message, {
    details: carried.details,
    headers: carried.headers,
    retryable: carried.retryable,
    ...(carried.retryAfterMs === undefined ? {} : { retryAfterMs: carried.retryAfterMs }),
    cause: err,
  });
}

/** Object side: every RPC method of `cls` rethrows an ApiError in the form `fromRpcError` reads. */
export function throwsAcrossRpc(cls: abstract new (...args: never[]) => object): void {
  wrapRpcMethods(cls, (_name, method) =>
    function (this: object, ...args: unknown[]) {
      try {
        const result = method.apply(this, args);
        return isThenable(result) ? Promise.resolve(result).catch((err: unknown) => Promise.reject(toRpcError(err))) : result;
      } catch (err) {
        throw toRpcError(err);
      }
    },
  );
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof (v as { then?: unknown } | null)?.then === "function";
}

type RpcMethodName<T> = { [K in keyof T]: T[K] extends (...args: never[]) => unknown ? K : never }[keyof T];

/** What a caller sees of an object or surface through `remote()`: its methods, each answering a promise. */
export type Remote<T> = {
  [K in RpcMethodName<T>]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};

/**
 * Caller side: a stub (or a pipelined surface) whose every call rebuilds the ApiError an object
 * threw. Symbols (`Symbol.dispose`) pass through; `then` is hidden, so a surface is never awaited
 * by mistake (calls on it pipeline).
 */
export function remote<T>(target: object): Remote<T> {
  return new Proxy(target, {
    get(t, prop) {
      if (prop === "then") return undefined;
      const value: unknown = Reflect.get(t, prop);
      if (typeof value !== "function") return value;
      if (typeof prop === "symbol" || prop === "dup") return (value as (...a: unknown[]) => unknown).bind(t);
      // A stub's property is itself a stub: calling its own `apply` would be an RPC call named "apply".
      return (...args: unknown[]) => rebuilt(Reflect.apply(value, undefined, args) as PromiseLike<unknown>);
    },
  }) as Remote<T>;
}

async function rebuilt<T>(call: PromiseLike<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    throw fromRpcError(err) ?? err;
  }
}
