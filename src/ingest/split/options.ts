import { z } from "zod";
import { ApiError } from "../../errors";

export const DEFAULT_CHUNK_SIZE = 1024;
export const DEFAULT_CHUNK_OVERLAP = 200;
/** LlamaIndex counts with cl100k_base; o200k_base is the GPT-4o family's encoding. */
export const DEFAULT_SPLIT_ENCODING = "cl100k_base";
export const MIN_CHUNK_SIZE = 16;
export const MAX_CHUNK_SIZE = 131_072;

export const splitEncodingSchema = z.enum(["cl100k_base", "o200k_base"]);
export type SplitEncoding = z.infer<typeof splitEncodingSchema>;

const chunkSize = z.int().min(MIN_CHUNK_SIZE).max(MAX_CHUNK_SIZE);
const chunkOverlap = z.int().min(0).max(MAX_CHUNK_SIZE - 1);

/** Splitter settings as a request or a tenant's settings carry them (snake_case, all optional). */
export const splitSettingsSchema = z.strictObject({
  chunk_size: chunkSize.optional(),
  chunk_overlap: chunkOverlap.optional(),
  encoding: splitEncodingSchema.optional(),
});
export type SplitSettings = z.infer<typeof splitSettingsSchema>;

/** Options of one split, with LlamaIndex's defaults; `metadataText` is embedded with each chunk. */
export const splitOptionsSchema = z
  .strictObject({
    chunkSize: chunkSize.default(DEFAULT_CHUNK_SIZE),
    chunkOverlap: chunkOverlap.default(DEFAULT_CHUNK_OVERLAP),
    encoding: splitEncodingSchema.default(DEFAULT_SPLIT_ENCODING),
    metadataText: z.string().default(""),
  })
  .refine((o) => o.chunkOverlap < o.chunkSize, {
    message: "chunkOverlap must be smaller than chunkSize",
    path: ["chunkOverlap"],
  });
export type SplitOptions = z.input<typeof splitOptionsSchema>;
export type ResolvedSplitOptions = z.output<typeof splitOptionsSchema>;

/** Validates split options; a `validation_failed` ApiError (400) lists what is wrong. */
export function parseSplitOptions(options: unknown): ResolvedSplitOptions {
  const parsed = splitOptionsSchema.safeParse(options ?? {});
  if (!parsed.success) throw invalidSettings("split options", parsed.error.issues);
  return parsed.data;
}

/**
 * The options for one request: the request's settings over the tenant's over the defaults, each
 * layer validated on its own, then together (an overlap from one layer must fit the other's size).
 */
export function resolveSplitSettings(layers: { tenant?: unknown; request?: unknown }, metadataText = ""): ResolvedSplitOptions {
  const merged: SplitSettings = {};
  for (const source of ["tenant", "request"] as const) {
    const parsed = splitSettingsSchema.safeParse(layers[source] ?? {});
    if (!parsed.success) throw invalidSettings(`${source} split settings`, parsed.error.issues);
    // A field present but undefined leaves the layer below in force.
    for (const [key, value] of Object.entries(parsed.data)) if (value !== undefined) Object.assign(merged, { [key]: value });
  }
  const size = merged.chunk_size ?? DEFAULT_CHUNK_SIZE;
  const overlap = merged.chunk_overlap ?? DEFAULT_CHUNK_OVERLAP;
  if (overlap >= size) {
    throw invalidSettings("split settings", [
      { path: ["chunk_overlap"], message: `chunk_overlap (${overlap}) must be smaller than chunk_size (${size})` },
    ]);
  }
  return { chunkSize: size, chunkOverlap: overlap, encoding: merged.encoding ?? DEFAULT_SPLIT_ENCODING, metadataText };
}

/** LlamaIndex's metadata string: one `key: value` line per entry, in insertion order. */
export function formatMetadata(metadata: Readonly<Record<string, unknown>>): string {
  return Object.entries(metadata)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join("\n");
}

interface Issue {
  path: readonly PropertyKey[];
  message: string;
}

function invalidSettings(what: string, issues: readonly Issue[]): ApiError {
  const details = issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
  const first = details[0];
  const where = first?.path ? `${first.path}: ` : "";
  return new ApiError("validation_failed", `Invalid ${what}: ${where}${first?.message ?? "invalid"}`, { details });
}
