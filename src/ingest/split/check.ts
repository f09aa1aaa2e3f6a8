import { embedText } from "./core";
import type { Chunk } from "./merge";
import type { TextCounter } from "./pieces";

export interface CheckSettings {
  count: TextCounter;
  chunkSize: number;
  chunkOverlap: number;
  metadataText?: string;
}

/**
 * The splitter's guarantees, checked on its output (for tests and the bench): each chunk is the
 * source slice at its offsets, trimmed and not empty, with its exact token count; embedded with
 * the metadata it is at most `chunkSize` tokens; starts never go back; the chunks cover every
 * non-whitespace character in order; consecutive chunks overlap by at most `chunkOverlap` tokens.
 * Returns what is violated, empty when nothing is. Encodes every chunk once: linear.
 */
export function chunkProblems(source: string, chunks: readonly Chunk[], settings: CheckSettings): string[] {
  const { count, chunkSize, chunkOverlap, metadataText } = settings;
  const problems: string[] = [];
  let covered = 0;
  chunks.forEach((chunk, i) => {
    const at = `chunk ${i} [${chunk.start}, ${chunk.end})`;
    if (chunk.text !== source.slice(chunk.start, chunk.end)) problems.push(`${at}: text is not the source slice`);
    if (chunk.text.trim() !== chunk.text || chunk.text === "") problems.push(`${at}: empty or not trimmed`);
    const tokens = count(chunk.text);
    if (tokens !== chunk.tokens) problems.push(`${at}: says ${chunk.tokens} tokens, encodes to ${tokens}`);
    const embedded = count(embedText(metadataText, chunk.text));
    if (embedded > chunkSize) problems.push(`${at}: ${embedded} tokens with metadata > ${chunkSize}`);
    const previous = chunks[i - 1];
    if (previous && chunk.start < previous.start) problems.push(`${at}: starts before chunk ${i - 1}`);
    if (previous && chunk.start < previous.end) {
      const overlap = count(source.slice(chunk.start, previous.end).trim());
      if (overlap > chunkOverlap) problems.push(`${at}: overlap of ${overlap} tokens > ${chunkOverlap}`);
    }
    if (/\S/.test(source.slice(covered, chunk.start))) problems.push(`${at}: text before it is not covered`);
    covered = Math.max(covered, chunk.end);
  });
  if (/\S/.test(source.slice(covered))) problems.push(`text after ${covered} is not covered`);
  return problems;
}
