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

/** Lower-case hex SHA-256 of a string (its UTF-8 bytes) or of bytes. */
export async function sha256Hex(data: string | Uint8Array | ArrayBuffer): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
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
