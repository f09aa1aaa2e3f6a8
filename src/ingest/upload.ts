import { z } from "zod";
import { ApiError } from "../errors";
import { formatOf, probePdf, type DocumentFormat } from "./extract";
import { assertHasText, decodeText } from "./extract/text";
import { plainText } from "../lib/plain-text";
import { checkTextBytes } from "./limits";

/** Document metadata: a few small scalars, embedded with every chunk as `key: value` lines. */
export const documentMetadataSchema = z
  .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_ -]{0,63}$/, "keys are 1–64 letters, digits, _ - or space"), z.union([plainText(z.string().max(500)), z.number(), z.boolean()]))
  .refine((m) => Object.keys(m).length <= 20, "at most 20 metadata keys");

export interface Upload {
  bytes: Uint8Array;
  contentType: string;
  format: DocumentFormat;
  title: string;
  metadata: Record<string, string | number | boolean>;
  settings: { chunk_size?: number; chunk_overlap?: number; encoding?: "cl100k_base" | "o200k_base" };
}

/**
 * Cheap checks that keep bad uploads out before anything is stored: text must be
 * UTF-8 with something in it; a PDF must open and show text on a few sampled pages
 * (the full extraction runs later, in the ingest consumer).
 */
export async function checkUpload(upload: Pick<Upload, "bytes" | "format">): Promise<void> {
  if (upload.bytes.byteLength === 0) throw new ApiError("bad_request", "The document is empty.");
  if (upload.format === "pdf") {
    await probePdf(upload.bytes);
  } else {
    // Text is its bytes: over the limit is refused before it is decoded or stored.
    checkTextBytes(upload.bytes.byteLength);
    assertHasText(decodeText(upload.bytes));
  }
}

export { formatOf };
