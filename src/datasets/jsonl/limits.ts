/**
 * R2 multipart limits (developers.cloudflare.com/r2/platform/limits/, and
 * /work/shared/platform-facts.md): parts 5 MiB–5 GiB, every part but the last the
 * same size, at most 10,000 parts. The local simulation (miniflare's R2) enforces the
 * 5 MiB minimum and the equal sizes at `complete()`, not at `uploadPart()`.
 */
export const MIB = 1024 * 1024;

/** Smallest part R2 accepts for any part but the last. */
export const MIN_PART_BYTES = 5 * MIB;

/** Largest part R2 accepts. */
export const MAX_PART_BYTES = 5 * 1024 * MIB;

/** Most parts in one multipart upload. */
export const MAX_PARTS = 10_000;

/** Default part size: 8 MiB keeps one part well inside a Worker's 128 MB and allows files up to 80 GiB. */
export const DEFAULT_PART_BYTES = 8 * MIB;

/** customMetadata key holding the file's lower-case hex SHA-256 (single-put files only: see write.ts). */
export const SHA256_METADATA_KEY = "sha256";

/** customMetadata key holding the file's line count (single-put files only). */
export const LINES_METADATA_KEY = "lines";

/** Media type of JSONL files, stored on the object and sent on download. */
export const JSONL_CONTENT_TYPE = "application/x-ndjson";
