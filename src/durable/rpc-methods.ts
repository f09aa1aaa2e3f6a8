/** Methods the runtime itself calls on an object (never RPC from a caller). */
const LIFECYCLE = new Set(["constructor", "alarm", "fetch", "webSocketMessage", "webSocketClose", "webSocketError"]);

type Method = (this: object, ...args: unknown[]) => unknown;

/**
 * Replaces each RPC method on `cls`'s prototype (what RPC reaches: never instance fields, never
 * lifecycle handlers) with `wrap(name, method)`. Done once per class at module load, so a method
 * added later cannot be left out.
 */
export function wrapRpcMethods(cls: abstract new (...args: never[]) => object, wrap: (name: string, method: Method) => Method): void {
  const proto = cls.prototype as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(proto)) {
    const d = Object.getOwnPropertyDescriptor(proto, name);
    if (LIFECYCLE.has(name) || !d || typeof d.value !== "function") continue;
    Object.defineProperty(proto, name, { ...d, value: wrap(name, d.value as Method) });
  }
}
