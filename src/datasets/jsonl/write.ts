import { ApiError } from "../../errors";
import { logLine } from "../../lib/log";
import {
  DEFAULT_PART_BYTES,
  JSONL_CONTENT_TYPE,
  LINES_METADATA_KEY,
  MAX_PART_BYTES,
  MAX_PARTS,
  MIN_PART_BYTES,
  SHA256_METADATA_KEY,
} from "./limits";
import { PartBuffer } from "./part-buffer";

export interface WriteJsonlOptions {
  /** Bytes per multipart part (default 8 MiB, at least 5 MiB: R2's minimum for all but the last part). */
  partBytes?: number;
  /** Stored Content-Type (default `application/x-ndjson`). */
  contentType?: string;
  /** Extra customMetadata stored on the object. */
  customMetadata?: Record<string, string>;
}

export interface JsonlWriteResult {
  key: string;
  /** Size of the file in bytes. */
  bytes: number;
  /** Number of lines (each ends with `\n`). */
  lines: number;
  /** Lower-case hex SHA-256 of the whole file. */
  sha256: string;
  /** R2's etag of the object (unquoted). */
  etag: string;
  /** Parts uploaded: 0 when the file went in one `put`. */
  parts: number;
  /** Most bytes the writer buffered at once: at most `partBytes`. */
  peakBufferedBytes: number;
}

const NEWLINE = new Uint8Array([0x0a]);

/**
 * Streams lines into `key` as JSONL: one `put` when the file fits in one part, else a
 * multipart upload with equal parts, aborted on any error. The key shows a file only
 * once it is whole. Holds at most one part in memory.
 */
export async function writeJsonl(
  bucket: R2Bucket,
  key: string,
  lines: AsyncIterable<string> | Iterable<string>,
  opts: WriteJsonlOptions = {},
): Promise<JsonlWriteResult> {
  const partBytes = opts.partBytes ?? DEFAULT_PART_BYTES;
  if (!Number.isInteger(partBytes) || partBytes < MIN_PART_BYTES || partBytes > MAX_PART_BYTES) {
    throw new RangeError(`partBytes must be an integer between ${MIN_PART_BYTES} and ${MAX_PART_BYTES}.`);
  }
  const httpMetadata = { contentType: opts.contentType ?? JSONL_CONTENT_TYPE };
  const encoder = new TextEncoder();
  const buffer = new PartBuffer(partBytes);
  // Workers' DigestStream hashes incrementally; crypto.subtle.digest would need the whole file.
  const digest = new crypto.DigestStream("SHA-256");
  digest.digest.catch(() => {}); // rejects when aborted below; the original error is what matters
  const hasher = digest.getWriter();
  const uploaded: R2UploadedPart[] = [];
  let upload: R2MultipartUpload | undefined;
  let count = 0;
  let bytes = 0;

  const uploadPart = async (part: Uint8Array): Promise<void> => {
    if (uploaded.length >= MAX_PARTS) {
      throw new ApiError("payload_too_large", `A JSONL file may have at most ${MAX_PARTS} parts of ${partBytes} bytes.`, {
        retryable: false,
      });
    }
    // Created lazily: a file that fits one part never starts (or leaves behind) an upload.
    upload ??= await bucket.createMultipartUpload(key, { httpMetadata, customMetadata: opts.customMetadata });
    await hasher.write(part);
    uploaded.push(await upload.uploadPart(uploaded.length + 1, part));
  };

  try {
    for await (const line of lines) {
      assertLine(line, count);
      const encoded = encoder.encode(line);
      await buffer.push(encoded, uploadPart);
      await buffer.push(NEWLINE, uploadPart);
      count += 1;
      bytes += encoded.byteLength + 1;
    }
    const rest = buffer.take();
    if (!upload) {
      await hasher.write(rest);
      await hasher.close();
      const sha256 = toHex(await digest.digest);
      const object = await bucket.put(key, rest, {
        httpMetadata,
        customMetadata: { ...opts.customMetadata, [SHA256_METADATA_KEY]: sha256, [LINES_METADATA_KEY]: String(count) },
        sha256, // R2 checks the bytes it received against it
      });
      return { key, bytes, lines: count, sha256, etag: object.etag, parts: 0, peakBufferedBytes: buffer.peakBytes };
    }
    // The last part is never empty: PartBuffer emits a full part only when more bytes follow.
    await uploadPart(rest);
    await hasher.close();
    const sha256 = toHex(await digest.digest);
    // customMetadata is fixed at createMultipartUpload, before the digest exists, so a
    // multipart file does not carry its sha256: callers keep the returned one.
    const object = await upload.complete(uploaded);
    return { key, bytes, lines: count, sha256, etag: object.etag, parts: uploaded.length, peakBufferedBytes: buffer.peakBytes };
  } catch (error) {
    await hasher.abort(error).catch(() => {});
    if (upload) await abortQuietly(upload);
    throw error;
  }
}

/** A line must be one JSON text: no newline inside it (it would split into two lines). */
function assertLine(line: unknown, index: number): asserts line is string {
  if (typeof line !== "string") {
    throw new ApiError("unprocessable", `JSONL line ${index + 1} is not a string.`, { retryable: false });
  }
  // A bare CR is refused too: readers that split on CRLF and on LF would disagree about it.
  if (line.length === 0 || line.includes("\n") || line.includes("\r")) {
    throw new ApiError("unprocessable", `JSONL line ${index + 1} is empty or contains a line break.`, {
      retryable: false,
      details: { line: index + 1 },
    });
  }
}

// A failed abort leaves parts that R2 drops after 7 days and that no reader can see;
// the original error is the one worth reporting.
async function abortQuietly(upload: R2MultipartUpload): Promise<void> {
  try {
    await upload.abort();
  } catch (error) {
    logLine("warn", "jsonl.abort_failed", { key: upload.key, upload_id: upload.uploadId, error: String(error) });
  }
}

function toHex(buf: ArrayBuffer): string {
  return [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
