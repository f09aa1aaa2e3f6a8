/** Ends a pdfkit document and collects what it writes. */
export function pdfBytes(doc: PDFKit.PDFDocument): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on("data", (chunk: Buffer) => chunks.push(chunk));
    doc.on("end", () => resolve(new Uint8Array(Buffer.concat(chunks))));
    doc.on("error", reject);
    doc.end();
  });
}

/** A fixed date so that regenerated PDFs differ only where their content does. */
export const FIXED_DATE = new Date("2026-01-01T00:00:00Z");
