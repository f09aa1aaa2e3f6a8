import { wrapRpcMethods } from "./rpc-methods";

/**
 * A Durable Object's own count of RPC entries ("round trips"): every call into one of its
 * RPC methods, or into a method of an RpcTarget it handed out, counts once, pipelined or not.
 * Kept in memory (it restarts with the object): a measuring tool for tests and benches,
 * read with runInDurableObject, not state.
 */
export class TripCounter {
  total = 0;
  readonly byMethod = new Map<string, number>();
  /** Surfaces (RpcTargets) handed out whose callers have disposed every stub of them. */
  released = 0;

  count(method: string): void {
    this.total++;
    this.byMethod.set(method, (this.byMethod.get(method) ?? 0) + 1);
  }
}

/** Counts every call into `cls`'s RPC methods on the counter `counterOf` finds on the instance. */
export function countTrips<T extends object>(cls: abstract new (...args: never[]) => T, counterOf: (self: T) => TripCounter, prefix = ""): void {
  wrapRpcMethods(cls, (name, method) =>
    function (this: object, ...args: unknown[]) {
      counterOf(this as T).count(prefix + name);
      return method.apply(this, args);
    },
  );
}
