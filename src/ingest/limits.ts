import { ApiError } from "../errors";
import { utf8Length } from "../llm/bpe-count";

const MIB = 1024 * 1024;

/**
 * Most text a document may hold, in UTF-8 bytes: twice and more the seeds' 13 MB PDF, measured
 * end to end by `npm run bench:scale`. Checked on upload for text (before anything is stored) and
 * on extraction for a PDF (whose text is known only then).
 */
export const MAX_DOCUMENT_TEXT_BYTES = 32 * MIB;

function mib(bytes: number): string {
  return `${(bytes / MIB).toFixed(1)} MiB`;
}

/** Refuses text over the limit with a 413 naming it. */
export function checkTextBytes(bytes: number): void {
  if (bytes > MAX_DOCUMENT_TEXT_BYTES) {
    throw new ApiError(
      "payload_too_large",
      `Documents are limited to ${MAX_DOCUMENT_TEXT_BYTES / MIB} MiB of text; this one has ${mib(bytes)}.`,
      { details: { max_text_bytes: MAX_DOCUMENT_TEXT_BYTES, text_bytes: bytes }, retryable: false },
    );
  }
}

/** As `checkTextBytes` for a string, measured without encoding a copy of it. */
export function checkTextLimit(text: string): void {
  if (text.length * 3 <= MAX_DOCUMENT_TEXT_BYTES) return;
  checkTextBytes(utf8Length(text));
}
