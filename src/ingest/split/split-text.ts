import { tokenCounter } from "../../llm/tokens";
import { splitTextWith } from "./core";
import type { Chunk } from "./merge";
import { parseSplitOptions, type SplitOptions } from "./options";

/**
 * Splits text the way LlamaIndex's SentenceSplitter does, in linear time, counting tokens with the
 * chosen encoding (loaded on first use, never at start-up). Throws a `validation_failed` ApiError
 * for invalid options or metadata that leaves no room for text.
 */
export async function splitText(text: string, options: SplitOptions = {}): Promise<Chunk[]> {
  const resolved = parseSplitOptions(options);
  const count = await tokenCounter(resolved.encoding);
  return splitTextWith(text, count, resolved);
}
