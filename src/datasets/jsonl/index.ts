export { datasetFileKey, isJsonlSplit, JSONL_SPLITS, type JsonlSplit } from "./keys";
export {
  DEFAULT_PART_BYTES,
  JSONL_CONTENT_TYPE,
  LINES_METADATA_KEY,
  MAX_PART_BYTES,
  MAX_PARTS,
  MIN_PART_BYTES,
  SHA256_METADATA_KEY,
} from "./limits";
export { readJsonlLines } from "./read";
export { jsonlResponse } from "./response";
export { writeJsonl, type JsonlWriteResult, type WriteJsonlOptions } from "./write";
