import { ApiError } from "../../errors";
import { readJsonlLines as readStreamLines } from "../import/lines";

/**
 * Yields the lines of a JSONL object in R2 as they stream in, with the same line
 * rules as an import (split on LF, the final newline ending the last line). Blank
 * lines in the middle are yielded as "" so a validator can point at them.
 */
export async function* readJsonlLines(bucket: R2Bucket, key: string): AsyncGenerator<string, void, undefined> {
  const object = await bucket.get(key);
  if (!object) throw new ApiError("not_found", "No such JSONL file.");
  for await (const raw of readStreamLines(object.body, { maxBytes: Number.POSITIVE_INFINITY, maxLineBytes: Number.POSITIVE_INFINITY })) {
    if ("error" in raw) {
      // As TextDecoder reports it: the file is ours, so bad bytes mean corruption, not a user error.
      if (raw.error.kind === "invalid_utf8") throw new TypeError(`Line ${raw.line}: ${raw.error.message}`);
      throw new ApiError("unprocessable", `Line ${raw.line}: ${raw.error.message}`);
    }
    yield raw.text;
  }
}
