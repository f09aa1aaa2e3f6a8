import { hasReadableText } from "../../lib/plain-text";
import { ApiError } from "../../errors";
import { pdfError, noTextLayer } from "./pdf-errors";
import { joinPages, type PageSpan } from "./pages";

export interface PdfOptions {
  /** More pages than this → `payload_too_large` before any page is read. */
  maxPages?: number;
}

/** One text run as pdf.js reports it (the fields we read). */
interface TextRun {
  str: string;
  hasEOL: boolean;
  transform: number[];
}

interface Line {
  text: string;
  y: number;
  size: number;
}

/** A blank line between two text lines further apart than this many font sizes. */
const PARAGRAPH_GAP = 1.45;

/** A pdf.js document proxy, from `unpdf`'s `getDocumentProxy`. */
export type PdfDocument = Awaited<ReturnType<typeof import("unpdf").getDocumentProxy>>;

/**
 * Opens a PDF with pdf.js (loaded lazily), translating what it throws into our codes.
 * The caller must `destroy()` its loading task when done.
 */
export async function openPdf(bytes: Uint8Array): Promise<PdfDocument> {
  if (bytes.byteLength === 0) throw new ApiError("bad_request", "Not a readable PDF: the file is empty.", { details: { reason: "corrupt" } });
  if (!hasPdfHeader(bytes)) {
    throw new ApiError("bad_request", "Not a readable PDF: no %PDF- header in the first 1024 bytes.", {
      details: { reason: "corrupt" },
    });
  }
  // Lazy: pdf.js is ~1.7 MB of JavaScript. Wrangler's esbuild bundle keeps it in the one
  // script but wraps it in a lazy initialiser, so start-up parses it without evaluating it.
  // Failing to load it is our fault, not the document's, so that error is not translated.
  const { getDocumentProxy } = await import("unpdf");
  try {
    // A copy: pdf.js may transfer (detach) the buffer it is given, and the caller keeps its bytes.
    return await getDocumentProxy(bytes.slice(), {
      disableFontFace: true, // no FontFace or canvas in workerd; text extraction needs neither
      isOffscreenCanvasSupported: false,
      useSystemFonts: false,
      verbosity: 0, // errors only; pdf.js otherwise console.logs warnings about damaged files
    });
  } catch (err) {
    throw pdfError(err);
  }
}

/**
 * Extracts a PDF's text layer page by page with pdf.js, through `unpdf`: its
 * default entry loads its own serverless pdf.js build (`unpdf/pdfjs`), which runs
 * in workerd as is (no worker thread, no canvas, no eval; no config needed).
 * Pages are joined with a blank line and their spans recorded.
 */
export async function extractPdf(bytes: Uint8Array, opts: PdfOptions = {}): Promise<{ text: string; pages: PageSpan[] }> {
  const pdf = await openPdf(bytes);
  try {
    if (opts.maxPages !== undefined && pdf.numPages > opts.maxPages) {
      throw new ApiError("payload_too_large", `The PDF has ${pdf.numPages} pages; the limit is ${opts.maxPages}.`, {
        details: { pages: pdf.numPages, limit: opts.maxPages },
      });
    }
    const texts: string[] = [];
    // One page at a time: bounded memory on large documents.
    for (let n = 1; n <= pdf.numPages; n++) {
      try {
        const content = await (await pdf.getPage(n)).getTextContent();
        texts.push(pageText(content.items.filter((i) => "str" in i) as TextRun[]));
      } catch (err) {
        throw pdfError(err);
      }
    }
    if (!texts.some(hasReadableText)) throw noTextLayer(pdf.numPages);
    return joinPages(texts);
  } finally {
    await pdf.loadingTask.destroy().catch(() => undefined);
  }
}

/** pdf.js accepts a header anywhere in the first KiB; so do we. */
function hasPdfHeader(bytes: Uint8Array): boolean {
  const magic = [0x25, 0x50, 0x44, 0x46, 0x2d]; // "%PDF-"
  const limit = Math.min(bytes.length, 1024) - magic.length;
  for (let i = 0; i <= limit; i++) {
    if (magic.every((b, j) => bytes[i + j] === b)) return true;
  }
  return false;
}

/**
 * A page's text: runs joined into lines (pdf.js marks line ends), lines into
 * paragraphs where the vertical gap is large, whitespace tidied.
 */
export function pageText(runs: readonly TextRun[]): string {
  const lines: Line[] = [];
  let current: Line | null = null;
  for (const run of runs) {
    if (run.str) {
      const size = Math.hypot(run.transform[2] ?? 0, run.transform[3] ?? 0);
      if (!current) current = { text: "", y: run.transform[5] ?? 0, size };
      current.text += run.str;
      current.size = Math.max(current.size, size);
    }
    if (run.hasEOL && current) {
      lines.push(current);
      current = null;
    }
  }
  if (current) lines.push(current);

  let out = "";
  let prev: Line | null = null;
  for (const line of lines) {
    const text = line.text.replace(/\u0000/g, "").replace(/\s+/g, " ").trim();
    if (!text) continue;
    if (prev) {
      const gap = Math.abs(prev.y - line.y);
      out += gap > PARAGRAPH_GAP * Math.max(prev.size, line.size, 1) ? "\n\n" : "\n";
    }
    out += text;
    prev = line;
  }
  return out;
}
