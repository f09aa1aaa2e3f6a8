import { ApiError } from "../../errors";
import { MAX_SEGMENT_UNITS } from "./graphemes";
import { type Chunk, type Merged, mergePieces } from "./merge";
import { pieceCutter, type TextCounter } from "./pieces";
import { trimSpan } from "./spans";

/** Between the metadata and the text when both are embedded: LlamaIndex's "{metadata_str}\n\n{content}". */
export const METADATA_SEPARATOR = "\n\n";

/**
 * Fewest tokens the metadata may leave for text. A code point is at most 4 UTF-8 bytes, so at
 * most 4 tokens: any budget of 4 or more can always make progress.
 */
export const MIN_TEXT_TOKENS = 8;

/** What the synchronous core needs: sizes in tokens and the metadata text as it will be embedded. */
export interface CoreSplitOptions {
  chunkSize: number;
  chunkOverlap: number;
  metadataText?: string;
}

/** A chunk as it is embedded: LlamaIndex's text template, or the text alone when there is no metadata. */
export function embedText(metadataText: string | undefined, text: string): string {
  return metadataText ? `${metadataText}${METADATA_SEPARATOR}${text}` : text;
}

/**
 * Splits `text` with an already-loaded counter (synchronous, for the Worker after its lazy import
 * and for the Node bench). Every chunk is a trimmed slice of `text`; none is empty; each, embedded
 * with the metadata, is at most `chunkSize` tokens. The metadata prefix ends in a line break and a
 * chunk starts with a non-space, so no pre-split part spans the join (but for a leading "/", see
 * merge.ts) and the embedded count is the prefix's plus the chunk's: each chunk is held to the
 * budget the metadata leaves.
 */
export function splitTextWith(text: string, count: TextCounter, options: CoreSplitOptions): Chunk[] {
  return splitSpanWith(text, count, options, false).chunks;
}

/**
 * As `splitTextWith`; with `openEnd` (the text is a span that goes on, an ingest slice), the last
 * chunk is left unclosed and its start answered as `tail` (see `MergeSettings.openEnd`).
 */
export function splitSpanWith(text: string, count: TextCounter, options: CoreSplitOptions, openEnd: boolean): Merged {
  const metadataText = options.metadataText ?? "";
  const prefix = metadataText ? metadataText + METADATA_SEPARATOR : "";
  const metadataTokens = prefix ? count(prefix) : 0;
  const budget = options.chunkSize - metadataTokens;
  if (budget < MIN_TEXT_TOKENS) {
    throw new ApiError(
      "validation_failed",
      `Metadata is too long: it takes ${metadataTokens} of the chunk_size of ${options.chunkSize} tokens, ` +
        `leaving ${Math.max(budget, 0)}; at least ${MIN_TEXT_TOKENS} must remain for text. ` +
        "Increase chunk_size or shorten the metadata.",
      { details: [{ path: "metadata", message: "too long for chunk_size", metadata_tokens: metadataTokens }] },
    );
  }
  const [, end] = trimSpan(text, 0, text.length);
  if (end === 0) return { chunks: [], tail: null };
  const cutter = pieceCutter(text, count, {
    budget,
    leafChars: Math.max(256, budget),
    // Segments small enough that some fit in the overlap (LlamaIndex cuts single characters).
    segmentUnits: Math.min(MAX_SEGMENT_UNITS, Math.max(8, options.chunkOverlap >> 1 || MAX_SEGMENT_UNITS)),
  });
  const pieces = cutter.collect(0, end);
  return mergePieces(text, pieces, count, cutter, {
    budget,
    overlap: options.chunkOverlap,
    prefix: prefix ? { text: prefix, tokens: metadataTokens } : undefined,
    openEnd,
  });
}
