import { hasReadableText } from "../../lib/plain-text";
import { openPdf } from "./pdf";
import { noTextLayer, pdfError } from "./pdf-errors";

/**
 * A bounded check of an uploaded PDF inside the request: open it (pdf.js reads the
 * trailer and cross-reference table, lazily) and look for text on a few sampled
 * pages. Corrupt, encrypted and image-only PDFs are refused with a 4xx before
 * anything is stored; the full extraction still runs in the ingest consumer.
 */
export async function probePdf(bytes: Uint8Array): Promise<{ pages: number }> {
  const pdf = await openPdf(bytes);
  try {
    const n = pdf.numPages;
    // First pages, the middle and the last: a cover image alone does not make a PDF image-only.
    const sample = [...new Set([1, 2, 3, Math.ceil(n / 2), n])].filter((p) => p >= 1 && p <= n);
    for (const page of sample) {
      try {
        const content = await (await pdf.getPage(page)).getTextContent();
        if (content.items.some((i) => "str" in i && hasReadableText(i.str))) return { pages: n };
      } catch (err) {
        throw pdfError(err);
      }
    }
    throw noTextLayer(n);
  } finally {
    await pdf.loadingTask.destroy().catch(() => undefined);
  }
}
