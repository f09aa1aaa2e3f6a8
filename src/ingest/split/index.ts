export { embedText, METADATA_SEPARATOR, MIN_TEXT_TOKENS, splitTextWith, type CoreSplitOptions } from "./core";
export type { Chunk } from "./merge";
export {
  DEFAULT_CHUNK_OVERLAP,
  DEFAULT_CHUNK_SIZE,
  DEFAULT_SPLIT_ENCODING,
  formatMetadata,
  MAX_CHUNK_SIZE,
  MIN_CHUNK_SIZE,
  parseSplitOptions,
  resolveSplitSettings,
  splitEncodingSchema,
  splitOptionsSchema,
  splitSettingsSchema,
  type ResolvedSplitOptions,
  type SplitEncoding,
  type SplitOptions,
  type SplitSettings,
} from "./options";
export type { TextCounter } from "./pieces";
export { splitText } from "./split-text";
export { chunkProblems, type CheckSettings } from "./check";
export { DEFAULT_SLICE_CHARS, splitSlice, type Slice } from "./slice";
