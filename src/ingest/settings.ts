import type { TenantSettings } from "../durable/tenant";
import type { ChunkSettings } from "../durable/tenant/documents";
import { ApiError } from "../errors";
import { tokenCounter } from "../llm";
import { METADATA_SEPARATOR, MIN_TEXT_TOKENS, resolveSplitSettings } from "./split";

/**
 * A document's chunk settings: the request's over the tenant's (`settings.chunking`)
 * over LlamaIndex's defaults (1024 / 200, cl100k_base). 400 when they do not fit
 * together (e.g. `chunk_overlap >= chunk_size`).
 */
export function resolveChunkSettings(tenantSettings: TenantSettings | undefined, request: unknown): ChunkSettings {
  const resolved = resolveSplitSettings({ tenant: tenantSettings?.chunking, request: dropUndefined(request) });
  return { chunk_size: resolved.chunkSize, chunk_overlap: resolved.chunkOverlap, encoding: resolved.encoding };
}

/**
 * Metadata is embedded with every chunk, so it takes part of each chunk's size; refuse
 * metadata that leaves too little room before anything is stored. Counting needs the
 * tokenizer only when the metadata is long enough to possibly matter.
 */
export async function checkMetadataFits(metadataText: string, settings: ChunkSettings): Promise<void> {
  const budget = settings.chunk_size - MIN_TEXT_TOKENS;
  const bytes = new TextEncoder().encode(metadataText + METADATA_SEPARATOR).byteLength;
  if (bytes <= budget) return; // a token covers at least one byte
  const count = await tokenCounter(settings.encoding);
  const tokens = count(metadataText + METADATA_SEPARATOR);
  if (tokens > budget) {
    throw new ApiError(
      "validation_failed",
      `The title and metadata take ${tokens} tokens of the chunk_size of ${settings.chunk_size}; shorten them or raise chunk_size.`,
      { details: [{ path: "metadata", message: "too long for chunk_size", metadata_tokens: tokens }] },
    );
  }
}

function dropUndefined(v: unknown): unknown {
  if (!v || typeof v !== "object") return v;
  return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined));
}
