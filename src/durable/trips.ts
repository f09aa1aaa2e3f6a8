/**
 * A Durable Object's own count of RPC entries ("round trips"): every call into one of its
 * RPC methods, or into a method of an RpcTarget it handed out, counts once, pipelined or not.
 * Kept in memory (it restarts with the object): it is a measuring tool for tests and benches,
 * read with runInDurableObject, not state.
 */
export class TripCounter {
  total = 0;
  readonly byMethod = new Map<string, number>();

  count(method: string): void {
    this.total++;
    this.byMethod.set(method, (this.byMethod.get(method) ?? 0) + 1);
  }
}

/** Anything holding a counter: the object itself, or a surface it returned. */
export interface CountsTrips {
  readonly trips: TripCounter;
}

/** Methods the runtime calls itself (not RPC from a caller): never counted. */
const LIFECYCLE = new Set(["constructor", "alarm", "fetch", "webSocketMessage", "webSocketClose", "webSocketError"]);

/**
 * Counts every call into `cls`'s prototype methods on the instance's `trips`. Done once per
 * class at module load, so no method can be left out; RPC only ever reaches prototype methods.
 */
export function countTrips<T extends CountsTrips>(cls: abstract new (...args: never[]) => T, prefix = ""): void {
  const proto = cls.prototype as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(proto)) {
    const d = Object.getOwnPropertyDescriptor(proto, name);
    if (LIFECYCLE.has(name) || !d || typeof d.value !== "function") continue;
    const method = d.value as (...args: unknown[]) => unknown;
    Object.defineProperty(proto, name, {
      ...d,
      value: function (this: T, ...args: unknown[]) {
        this.trips.count(prefix + name);
        return method.apply(this, args);
      },
    });
  }
}
