/** Smallest buffer allocated for a file that may turn out tiny. */
const INITIAL_CAPACITY = 64 * 1024;

/**
 * Collects bytes into parts of exactly `partBytes`. It holds at most one part: a full
 * part is handed to `emit` (and released) only when more bytes arrive, so the last
 * part is never empty and a file of exactly one part stays a single `put`.
 */
export class PartBuffer {
  #buf = new Uint8Array(0);
  #len = 0;
  #emitted = false;
  #peak = 0;

  constructor(readonly partBytes: number) {
    if (!Number.isInteger(partBytes) || partBytes < 1) throw new RangeError("partBytes must be a positive integer.");
  }

  /** Bytes held now. */
  get buffered(): number {
    return this.#len;
  }

  /** Most bytes ever reserved at once (the buffer's capacity, ≥ what it held): never above `partBytes`. */
  get peakBytes(): number {
    return this.#peak;
  }

  /** Whether a full part has been emitted (the file needs a multipart upload). */
  get emitted(): boolean {
    return this.#emitted;
  }

  /** Appends `bytes`, emitting each full part (exactly `partBytes`) before overflowing it. */
  async push(bytes: Uint8Array, emit: (part: Uint8Array) => Promise<void>): Promise<void> {
    let offset = 0;
    while (offset < bytes.byteLength) {
      if (this.#len === this.partBytes) {
        const part = this.#buf;
        this.#buf = new Uint8Array(0);
        this.#len = 0;
        this.#emitted = true;
        await emit(part);
      }
      const n = Math.min(bytes.byteLength - offset, this.partBytes - this.#len);
      this.#reserve(this.#len + n);
      this.#buf.set(bytes.subarray(offset, offset + n), this.#len);
      this.#len += n;
      offset += n;
    }
  }

  /** Hands over what is left (possibly empty) and empties the buffer. */
  take(): Uint8Array {
    const rest = this.#buf.subarray(0, this.#len);
    this.#buf = new Uint8Array(0);
    this.#len = 0;
    return rest;
  }

  // Grows by doubling while the file may still fit one `put`; once parts flow, every
  // buffer is a whole part, allocated once.
  #reserve(size: number): void {
    if (size <= this.#buf.byteLength) return;
    let capacity = this.#emitted ? this.partBytes : Math.max(INITIAL_CAPACITY, this.#buf.byteLength * 2);
    while (capacity < size) capacity *= 2;
    const next = new Uint8Array(Math.min(capacity, this.partBytes));
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
    this.#peak = Math.max(this.#peak, next.byteLength);
  }
}
