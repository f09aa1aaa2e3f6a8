import PDFDocument from "pdfkit";
import { FIXED_DATE, pdfBytes } from "./bytes.ts";

/**
 * Small PDFs for tests of extraction: one good, and one of each way a PDF can
 * fail to give text. All generated here, none downloaded.
 */

/** The text on each page of {@link tinyPdf}, in order (ASCII, one paragraph per page). */
export const TINY_PDF_PAGES: readonly string[] = [
  "Page one introduces knowledge distillation, where a small student model learns from a large teacher model (Hinton et al., 2015).",
  "Page two is about retrieval: the teacher answers from retrieved context, as in retrieval-augmented generation (Lewis et al., 2020).",
  "Page three closes with evaluation: faithfulness and answer relevancy are measured on a held-out split (Es et al., 2023).",
];

/** The password of {@link encryptedPdf} (tests never need it; it is here to be explicit). */
export const ENCRYPTED_PDF_PASSWORD = "distillery-fixture";

const info = (title: string): PDFKit.DocumentInfo => ({ Title: title, Author: "Distillery", CreationDate: FIXED_DATE });

/** Three pages, each holding one known paragraph ({@link TINY_PDF_PAGES}). */
export async function tinyPdf(): Promise<Uint8Array> {
  const doc = new PDFDocument({ size: "A4", margin: 72, autoFirstPage: false, info: info("Tiny fixture") });
  for (const text of TINY_PDF_PAGES) {
    doc.addPage();
    doc.font("Helvetica").fontSize(12).text(text);
  }
  return pdfBytes(doc);
}

/** A PDF that opens only with a user password (RC4/AES, as pdfkit encrypts). */
export async function encryptedPdf(): Promise<Uint8Array> {
  const doc = new PDFDocument({
    size: "A4",
    margin: 72,
    userPassword: ENCRYPTED_PDF_PASSWORD,
    ownerPassword: `${ENCRYPTED_PDF_PASSWORD}-owner`,
    pdfVersion: "1.7",
    info: info("Encrypted fixture"),
  });
  doc.font("Helvetica").fontSize(12).text("This text is only readable with the password.");
  return pdfBytes(doc);
}

/**
 * Pages with drawings only: grey bars where lines of text would be and a
 * "photo" box, as a scanner produces (images of text, no text layer).
 */
export async function noTextLayerPdf(pages = 2): Promise<Uint8Array> {
  const doc = new PDFDocument({ size: "A4", margin: 72, autoFirstPage: false, info: info("Scanned fixture") });
  for (let p = 0; p < pages; p++) {
    doc.addPage();
    doc.rect(72, 72, 451, 24).fill("#333333");
    for (let line = 0; line < 30; line++) {
      const width = line % 7 === 6 ? 220 : 451 - ((line * 37) % 60);
      doc.rect(72, 120 + line * 18, width, 8).fill("#9a9a9a");
    }
    doc.rect(300, 700, 223, 80).lineWidth(1).stroke("#444444");
    doc.circle(411, 740, 25).fill("#bbbbbb");
  }
  return pdfBytes(doc);
}

/** A valid `%PDF-` header over a garbled body: every byte after the header line scrambled. */
export async function corruptPdf(): Promise<Uint8Array> {
  const good = await tinyPdf();
  const out = good.slice();
  const headerEnd = out.indexOf(0x0a) + 1; // keep "%PDF-1.3\n"
  let seed = 0x2f6b;
  for (let i = headerEnd; i < out.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff; // a fixed LCG: the same garbage every run
    out[i] = out[i]! ^ ((seed >> 16) & 0xff);
  }
  return out;
}

/** The first 40 % of a good PDF: no cross-reference table, no trailer, objects cut off. */
export async function truncatedPdf(): Promise<Uint8Array> {
  const good = await tinyPdf();
  return good.slice(0, Math.floor(good.length * 0.4));
}
