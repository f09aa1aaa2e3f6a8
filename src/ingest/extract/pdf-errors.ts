import { ApiError } from "../../errors";

/**
 * Translates what pdf.js throws while opening or reading a document into our
 * codes. pdf.js errors cross its (fake) worker boundary and may be rebuilt on
 * the way, so they are recognised by `name` and message, never `instanceof`.
 */
export function pdfError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const { name, message } = describe(err);
  if (name === "PasswordException" || /\bpassword\b/i.test(message)) {
    return new ApiError("bad_request", "The PDF is encrypted (password-protected); upload a decrypted copy.", {
      details: { reason: "encrypted" },
      cause: err,
    });
  }
  const reason = message.replace(/\.$/, "") || name || "unknown error";
  return new ApiError("bad_request", `Not a readable PDF: ${reason}.`, {
    details: { reason: "corrupt", pdfjs_error: name || undefined },
    cause: err,
  });
}

/** A PDF whose pages hold no text at all: images of pages, or drawings only. */
export function noTextLayer(pageCount: number): ApiError {
  return new ApiError(
    "unprocessable",
    `The PDF has no text layer (${pageCount} page${pageCount === 1 ? "" : "s"}, no extractable text); ` +
      "it is probably scanned images: run OCR on it first and upload the result.",
    { details: { reason: "no_text_layer", pages: pageCount } },
  );
}

function describe(err: unknown): { name: string; message: string } {
  if (typeof err === "object" && err !== null) {
    const e = err as { name?: unknown; message?: unknown };
    return {
      name: typeof e.name === "string" ? e.name : "",
      message: typeof e.message === "string" ? e.message : "",
    };
  }
  return { name: "", message: String(err) };
}
