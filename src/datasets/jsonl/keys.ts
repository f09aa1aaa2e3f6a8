import { ApiError } from "../../errors";

/** The two files a dataset exports. */
export const JSONL_SPLITS = ["train", "eval"] as const;
export type JsonlSplit = (typeof JSONL_SPLITS)[number];

/** Whether a route parameter names a split. */
export function isJsonlSplit(value: string): value is JsonlSplit {
  return (JSONL_SPLITS as readonly string[]).includes(value);
}

// Ids are `prefix_base64url` (src/lib/ids.ts). Anything else (a `/`, `..`, empty) could
// step outside the tenant's prefix, so it is refused rather than escaped.
const SEGMENT = /^[A-Za-z0-9_-]{1,128}$/;

/** R2 key of a dataset's split: `tenants/{tenant}/datasets/{dataset}/{split}.jsonl`. */
export function datasetFileKey(tenantId: string, datasetId: string, split: JsonlSplit): string {
  for (const [name, value] of [["tenant", tenantId], ["dataset", datasetId]] as const) {
    if (!SEGMENT.test(value)) throw new ApiError("bad_request", `Invalid ${name} id for a dataset file.`);
  }
  if (!isJsonlSplit(split)) throw new ApiError("bad_request", `Unknown split ${JSON.stringify(split)}.`);
  return `tenants/${tenantId}/datasets/${datasetId}/${split}.jsonl`;
}
