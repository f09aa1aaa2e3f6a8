import { nowMs } from "./clock";

/**
 * A per-isolate cache of values trusted for `ttlMs` after they were read (on the clock seam), at most
 * `maxEntries` of them, the least recently stored dropped first (a Map iterates in insertion order).
 * The hot path's caches (verified keys, the model pointer, serving settings, a fine-tune's resolution)
 * are each one of these; each states its own bound where it is declared.
 */
export class IsolateCache<V> {
  readonly #entries = new Map<string, { value: V; at: number }>();

  constructor(
    readonly ttlMs: number,
    readonly maxEntries: number,
  ) {}

  /** The value while younger than the bound; a clock moved backwards (tests, dev) makes its age unknowable: a miss. */
  get(key: string): V | undefined {
    const e = this.#entries.get(key);
    if (!e) return undefined;
    const age = nowMs() - e.at;
    if (age >= 0 && age < this.ttlMs) return e.value;
    return undefined;
  }

  /** The value whatever its age (a caller that compares versions keeps the newest it has seen). */
  peek(key: string): V | undefined {
    return this.#entries.get(key)?.value;
  }

  /** Stores `value` as read at `at` (default now): a read that began earlier is trusted from when it began. */
  set(key: string, value: V, at = nowMs()): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, at });
    if (this.#entries.size > this.maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }
}
