export { pdfBytes, FIXED_DATE } from "./bytes.ts";
export {
  corruptPdf,
  encryptedPdf,
  ENCRYPTED_PDF_PASSWORD,
  noTextLayerPdf,
  tinyPdf,
  TINY_PDF_PAGES,
  truncatedPdf,
} from "./fixtures.ts";
export { inline, parseMarkdown, type Block } from "./markdown.ts";
export { renderMarkdownPdf, type RenderOptions } from "./render-markdown.ts";
export { toWinAnsi } from "./winansi.ts";
