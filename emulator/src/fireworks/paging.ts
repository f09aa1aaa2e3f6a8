import { invalidArgument } from "./errors";

/**
 * Fireworks' list paging: pageSize (default 50, values above 200 coerced to 200) and an
 * opaque pageToken, here the offset of the next item; nextPageToken is "" on the last page.
 */
export function pageOf<T>(all: T[], rawSize: string | undefined, rawToken: string | undefined) {
  const size = rawSize === undefined || rawSize === "" ? 50 : Number(rawSize);
  if (!Number.isInteger(size) || size < 0) throw invalidArgument(`Invalid pageSize: ${rawSize}`);
  const pageSize = Math.min(200, size || 50);
  let offset = 0;
  try {
    if (rawToken) offset = Number.parseInt(atob(rawToken), 10);
  } catch {
    offset = Number.NaN;
  }
  if (!Number.isInteger(offset) || offset < 0) throw invalidArgument("Invalid pageToken.");
  const items = all.slice(offset, offset + pageSize);
  const next = offset + pageSize;
  return { items, nextPageToken: next < all.length ? btoa(String(next)) : "", totalSize: all.length };
}
