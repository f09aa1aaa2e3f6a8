import { JSONL_CONTENT_TYPE, SHA256_METADATA_KEY } from "./limits";

/**
 * Streams an R2 JSONL object as a download, with its length, etag and (when known)
 * SHA-256. `opts.sha256` covers multipart files, which carry no digest in metadata.
 */
export function jsonlResponse(object: R2ObjectBody, filename: string, opts: { sha256?: string } = {}): Response {
  const headers = new Headers({
    "Content-Type": JSONL_CONTENT_TYPE,
    "Content-Disposition": contentDisposition(filename),
    "Content-Length": String(object.size),
    ETag: object.httpEtag,
    // Tenant data: a shared cache must never keep it.
    "Cache-Control": "private, no-store",
  });
  const sha256 = object.customMetadata?.[SHA256_METADATA_KEY] ?? opts.sha256 ?? checksumHex(object.checksums.sha256);
  if (sha256) headers.set("X-Content-SHA256", sha256);
  return new Response(object.body, { headers });
}

/** RFC 6266: an ASCII fallback name (no quotes, backslashes or controls) plus the exact UTF-8 name. */
function contentDisposition(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\]/g, "_") || "download.jsonl";
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

function checksumHex(buf: ArrayBuffer | undefined): string | undefined {
  if (!buf) return undefined;
  return [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
