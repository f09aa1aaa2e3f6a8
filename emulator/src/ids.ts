/** Hashing and identifiers. Hashes are synchronous so deterministic choices stay cheap. */

/** cyrb53: a fast 53-bit string hash, good enough to spread seeds and fingerprints. */
export function hash53(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** A uniform draw in [0, 1) determined by the parts. */
export function uniform(...parts: Array<string | number>): number {
  return hash53(parts.join("\u0000")) / 2 ** 53;
}

/** A 32-bit unsigned hash, for bucket indexes. */
export function hash32(text: string, seed = 0): number {
  return hash53(text, seed) >>> 0;
}

const ALPHANUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** Random alphanumeric id with OpenAI's prefixes (`file-`, `ftjob-`, `chatcmpl-`, `call_`). */
export function randomId(prefix: string, length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let out = prefix;
  for (const b of bytes) out += ALPHANUM[b % ALPHANUM.length];
  return out;
}

/** Deterministic alphanumeric id derived from a key (same key, same id). */
export function stableId(prefix: string, key: string, length: number): string {
  let out = prefix;
  let i = 0;
  while (out.length < prefix.length + length) {
    let h = hash53(key, i++);
    for (let k = 0; k < 8 && out.length < prefix.length + length; k++) {
      out += ALPHANUM[h % ALPHANUM.length];
      h = Math.floor(h / ALPHANUM.length);
    }
  }
  return out;
}

/** A request id in OpenAI's style when the caller sent none. */
export function newRequestId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return "req_" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
