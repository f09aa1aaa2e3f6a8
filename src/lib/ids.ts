/** Random identifiers and secrets, from the platform's CSPRNG. */

/** `bytes` random bytes as unpadded base64url text (4 characters per 3 bytes). */
export function randomToken(bytes: number): string {
  const buf = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...buf)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** A prefixed id such as `tn_3fK9…` (96 random bits: unique, not secret). */
export function newId(prefix: string): string {
  return `${prefix}_${randomToken(12)}`;
}

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));
const encoder = new TextEncoder();

/** Lower-case hex SHA-256 of a string (its UTF-8 bytes) or of bytes. On every request's path (the key check): kept lean. */
export async function sha256Hex(data: string | Uint8Array | ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", typeof data === "string" ? encoder.encode(data) : data));
  let hex = "";
  for (const b of digest) hex += HEX[b];
  return hex;
}

/** Constant-time comparison of two strings of hex (or any) text, via their SHA-256 digests. */
export async function safeEqual(a: string, b: string): Promise<boolean> {
  const enc = new TextEncoder();
  const [da, db] = await Promise.all([
    crypto.subtle.digest("SHA-256", enc.encode(a)),
    crypto.subtle.digest("SHA-256", enc.encode(b)),
  ]);
  // Digests have equal length, so timingSafeEqual never throws and leaks nothing about lengths.
  return crypto.subtle.timingSafeEqual(da, db);
}
