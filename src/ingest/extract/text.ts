import { ApiError } from "../../errors";
import { hasReadableText } from "../../lib/plain-text";

/**
 * Decodes UTF-8 text: strips a byte-order mark and turns CRLF and lone CR into LF,
 * so that every offset downstream refers to the returned string.
 */
export function decodeText(bytes: Uint8Array): string {
  let text: string;
  try {
    // ignoreBOM: false drops a leading BOM; the replace below is belt and braces.
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch (err) {
    throw new ApiError("bad_request", "The document is not valid UTF-8 text.", { cause: err });
  }
  return text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
}

/** Throws `bad_request` when there is nothing to read: only whitespace, control or format characters (1,000 NULs). */
export function assertHasText(text: string): void {
  if (!hasReadableText(text)) {
    throw new ApiError("bad_request", "The document has no text: it holds only whitespace, control or invisible characters.");
  }
}
