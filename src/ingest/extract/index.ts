export { extractDocument, type ExtractedDocument, type ExtractOptions } from "./extract";
export { decodeTextStream } from "./text";
export { formatOf, parseContentType, SUPPORTED_CONTENT_TYPES, type DocumentFormat, type MediaType } from "./content-type";
export { joinPages, pageAt, pageRange, PAGE_SEPARATOR, type PageSpan } from "./pages";
export { probePdf } from "./probe";
