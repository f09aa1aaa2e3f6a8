import { ApiError } from "../../errors";

/** The formats Distillery extracts text from. */
export type DocumentFormat = "text" | "markdown" | "pdf";

/** Content types accepted for documents, and the format each one means. */
export const SUPPORTED_CONTENT_TYPES = {
  "text/plain": "text",
  "text/markdown": "markdown",
  "text/x-markdown": "markdown",
  "application/pdf": "pdf",
  "application/x-pdf": "pdf",
} as const satisfies Record<string, DocumentFormat>;

const ADVERTISED = ["text/plain", "text/markdown", "application/pdf"];
const UTF8_CHARSETS = new Set(["utf-8", "utf8", "us-ascii"]);

/** A parsed `Content-Type`: its lower-cased media type and parameters. */
export interface MediaType {
  type: string;
  params: Record<string, string>;
}

/** Parses a `Content-Type` header value (`text/plain; charset="UTF-8"`). */
export function parseContentType(value: string): MediaType {
  const [type = "", ...rest] = value.split(";");
  const params: Record<string, string> = {};
  for (const part of rest) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim().toLowerCase();
    const raw = part.slice(eq + 1).trim();
    params[key] = raw.replace(/^"(.*)"$/, "$1").toLowerCase();
  }
  return { type: type.trim().toLowerCase(), params };
}

/**
 * The format a content type stands for, or `unsupported_media_type` naming the
 * supported ones. Text must be UTF-8 (a missing charset is taken to be UTF-8).
 */
export function formatOf(contentType: string): DocumentFormat {
  const { type, params } = parseContentType(contentType);
  const format = (SUPPORTED_CONTENT_TYPES as Record<string, DocumentFormat>)[type];
  if (!format) {
    throw new ApiError(
      "unsupported_media_type",
      `Unsupported content type ${JSON.stringify(type || contentType)}; supported: ${ADVERTISED.join(", ")}.`,
      { details: { content_type: contentType, supported: ADVERTISED } },
    );
  }
  const charset = params.charset;
  if (format !== "pdf" && charset !== undefined && !UTF8_CHARSETS.has(charset)) {
    throw new ApiError("unsupported_media_type", `Text must be UTF-8 (got charset=${charset}).`, {
      details: { content_type: contentType, supported: ADVERTISED.map((t) => (t.startsWith("text/") ? `${t}; charset=utf-8` : t)) },
    });
  }
  return format;
}
