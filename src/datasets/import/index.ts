export { DEFAULT_MAX_LINE_BYTES, formatJsonl, type JsonlLimits, type RawLine, readJsonlLines } from "./lines";
export {
  type CheckedLine,
  checkJsonlLines,
  type JsonlLine,
  type LineError,
  type LineErrorKind,
  MAX_LINE_ERRORS,
  type ParsedJsonl,
  parseJsonl,
} from "./parse";
export { type ImportPlan, planImport } from "./plan";
export { decideImport, type ImportTally } from "./plan";
export { IMPORT_MAX_BYTES, IMPORT_MAX_LINES, IMPORT_PAGE_BYTES, type StreamedImport, type StreamImportOptions, streamImport } from "./stream";
