import PDFDocument from "pdfkit";
import { FIXED_DATE, pdfBytes } from "./bytes.ts";
import { parseMarkdown, type Block } from "./markdown.ts";
import { toWinAnsi } from "./winansi.ts";

export interface RenderOptions {
  /** Document title (PDF metadata and running footer); defaults to the first heading. */
  title?: string;
  author?: string;
  /** Page numbers in the footer ("Title — page 3 of 40"); default true. */
  pageNumbers?: boolean;
}

const MARGIN = 72;
const BODY = { font: "Helvetica", size: 10.5 };
const HEADING_SIZES: Record<number, number> = { 1: 20, 2: 14, 3: 12 };

/**
 * Typesets Markdown as a multi-page PDF with a real text layer (standard
 * Helvetica/Courier, so text extracts exactly as written, bar WinAnsi spelling).
 */
export async function renderMarkdownPdf(markdown: string, opts: RenderOptions = {}): Promise<Uint8Array> {
  const blocks = parseMarkdown(markdown);
  const firstHeading = blocks.find((b) => b.kind === "heading");
  const title = opts.title ?? (firstHeading?.kind === "heading" ? firstHeading.text : "Untitled");
  const doc = new PDFDocument({
    size: "A4",
    margin: MARGIN,
    bufferPages: true,
    info: { Title: toWinAnsi(title), Author: opts.author ?? "Distillery", CreationDate: FIXED_DATE, ModDate: FIXED_DATE },
  });
  const width = doc.page.width - 2 * MARGIN;

  for (const block of blocks) renderBlock(doc, block, width);

  if (opts.pageNumbers ?? true) addFooters(doc, toWinAnsi(title));
  return pdfBytes(doc);
}

function renderBlock(doc: PDFKit.PDFDocument, block: Block, width: number): void {
  const x = MARGIN;
  switch (block.kind) {
    case "heading": {
      const size = HEADING_SIZES[block.level] ?? 11;
      keepWithNext(doc, size * 4);
      if (block.level > 1) doc.moveDown(0.6);
      doc.font("Helvetica-Bold").fontSize(size).text(toWinAnsi(block.text), x, doc.y, {
        width,
        align: block.level === 1 ? "center" : "left",
      });
      doc.moveDown(block.level === 1 ? 1 : 0.4);
      return;
    }
    case "paragraph":
      body(doc).text(toWinAnsi(block.text), x, doc.y, { width });
      doc.moveDown(0.6);
      return;
    case "quote":
      doc.font("Helvetica-Oblique").fontSize(BODY.size).text(toWinAnsi(block.text), x + 24, doc.y, { width: width - 48 });
      doc.moveDown(0.6);
      return;
    case "code":
      doc.font("Courier").fontSize(9).text(toWinAnsi(block.text), x + 12, doc.y, { width: width - 24 });
      doc.moveDown(0.6);
      return;
    case "rule":
      doc.moveTo(x, doc.y).lineTo(x + width, doc.y).lineWidth(0.5).stroke();
      doc.moveDown(0.6);
      return;
    case "list":
      renderList(doc, block.items, block.ordered, width);
      return;
    case "table":
      renderTable(doc, block.header, block.rows, width);
      return;
  }
}

function body(doc: PDFKit.PDFDocument): PDFKit.PDFDocument {
  return doc.font(BODY.font).fontSize(BODY.size);
}

/** Starts a new page when fewer than `space` points are left (no heading alone at a page's foot). */
function keepWithNext(doc: PDFKit.PDFDocument, space: number): void {
  if (doc.y + space > doc.page.height - MARGIN) doc.addPage();
}

function renderList(doc: PDFKit.PDFDocument, items: string[], ordered: boolean, width: number): void {
  const indent = 18;
  items.forEach((item, i) => {
    body(doc);
    const text = toWinAnsi(item);
    keepWithNext(doc, doc.heightOfString(text, { width: width - indent }) > 60 ? 30 : 15);
    const y = doc.y;
    doc.text(ordered ? `${i + 1}.` : "•", MARGIN + 4, y, { width: indent, lineBreak: false });
    doc.text(text, MARGIN + indent, y, { width: width - indent });
    doc.moveDown(0.25);
  });
  doc.moveDown(0.4);
}

function renderTable(doc: PDFKit.PDFDocument, header: string[], rows: string[][], width: number): void {
  const columns = Math.max(header.length, ...rows.map((r) => r.length));
  const weights = Array.from({ length: columns }, (_, c) =>
    Math.min(40, Math.max(6, ...[header, ...rows].map((r) => (r[c] ?? "").length))),
  );
  const total = weights.reduce((a, b) => a + b, 0);
  const widths = weights.map((w) => (w / total) * width);
  const pad = 4;
  const drawRow = (cells: string[], bold: boolean): void => {
    doc.font(bold ? "Helvetica-Bold" : "Helvetica").fontSize(9);
    const texts = widths.map((_, c) => toWinAnsi(cells[c] ?? ""));
    const height = Math.max(...texts.map((t, c) => doc.heightOfString(t, { width: widths[c]! - 2 * pad }))) + 2 * pad;
    if (doc.y + height > doc.page.height - MARGIN) doc.addPage();
    const top = doc.y;
    let left = MARGIN;
    texts.forEach((t, c) => {
      doc.text(t, left + pad, top + pad, { width: widths[c]! - 2 * pad });
      left += widths[c]!;
    });
    doc.moveTo(MARGIN, top + height).lineTo(MARGIN + width, top + height).lineWidth(bold ? 0.8 : 0.3).stroke();
    doc.x = MARGIN;
    doc.y = top + height;
  };
  doc.moveTo(MARGIN, doc.y).lineTo(MARGIN + width, doc.y).lineWidth(0.8).stroke();
  drawRow(header, true);
  for (const row of rows) drawRow(row, false);
  doc.moveDown(0.8);
}

function addFooters(doc: PDFKit.PDFDocument, title: string): void {
  const { start, count } = doc.bufferedPageRange();
  for (let i = start; i < start + count; i++) {
    doc.switchToPage(i);
    // Writing below the bottom margin would make pdfkit open a new page; lift the margin first.
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .font("Helvetica")
      .fontSize(8)
      .fillColor("#555555")
      .text(`${title} — page ${i + 1} of ${count}`, MARGIN, doc.page.height - MARGIN / 2, {
        width: doc.page.width - 2 * MARGIN,
        align: "center",
        lineBreak: false,
      });
    doc.fillColor("black");
    doc.page.margins.bottom = bottom;
  }
}
