import { ApiError } from "../../errors";
import { formatOf, type DocumentFormat } from "./content-type";
import type { PageSpan } from "./pages";
import { extractPdf } from "./pdf";
import { assertHasText, decodeText } from "./text";

/** A document's text, ready to split; offsets in `pages` refer to `text`. */
export interface ExtractedDocument {
  text: string;
  format: DocumentFormat;
  /** PDF only: where each page sits in `text`; null for text and Markdown. */
  pages: PageSpan[] | null;
}

export interface ExtractOptions {
  /** Larger inputs → `payload_too_large` (the route's body limit usually catches them first). */
  maxBytes?: number;
  /** PDFs with more pages → `payload_too_large`. */
  maxPages?: number;
}

/**
 * Extracts the text of an uploaded document (plain text, Markdown or PDF).
 * Throws ApiError: `unsupported_media_type`, `bad_request` (no text, not UTF-8,
 * unreadable or encrypted PDF), `unprocessable` (PDF without a text layer),
 * `payload_too_large`.
 */
export async function extractDocument(
  bytes: ArrayBuffer | Uint8Array,
  contentType: string,
  opts: ExtractOptions = {},
): Promise<ExtractedDocument> {
  const format = formatOf(contentType);
  const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (opts.maxBytes !== undefined && data.byteLength > opts.maxBytes) {
    throw new ApiError("payload_too_large", `The document is ${data.byteLength} bytes; the limit is ${opts.maxBytes}.`, {
      details: { bytes: data.byteLength, limit: opts.maxBytes },
    });
  }
  if (format === "pdf") {
    const { text, pages } = await extractPdf(data, { maxPages: opts.maxPages });
    return { text, format, pages };
  }
  const text = decodeText(data);
  assertHasText(text);
  return { text, format, pages: null };
}
