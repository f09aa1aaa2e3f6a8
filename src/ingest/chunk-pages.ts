/** Most bytes of chunk text one call to the tenant's object carries (an object call may carry 32 MiB). */
export const CHUNK_PAGE_BYTES = 4 * 1024 * 1024;

/**
 * Chunks in pages of at most CHUNK_PAGE_BYTES of text (UTF-16 length × 3 bounds the UTF-8 bytes),
 * at least one chunk a page; an empty document still gets one (empty) page, which carries its counts.
 */
export function chunkPages<T extends { text: string }>(chunks: readonly T[], maxBytes = CHUNK_PAGE_BYTES): T[][] {
  const pages: T[][] = [[]];
  let bytes = 0;
  for (const chunk of chunks) {
    const size = chunk.text.length * 3;
    if (pages.at(-1)!.length > 0 && bytes + size > maxBytes) {
      pages.push([]);
      bytes = 0;
    }
    pages.at(-1)!.push(chunk);
    bytes += size;
  }
  return pages;
}
