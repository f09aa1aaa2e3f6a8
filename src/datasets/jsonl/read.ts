import { ApiError } from "../../errors";

/**
 * Yields the lines of a JSONL object as they stream in (split on `\n`, the final
 * newline ending the last line rather than starting an empty one). Blank lines in
 * the middle are yielded as "" so a validator can point at them.
 */
export async function* readJsonlLines(bucket: R2Bucket, key: string): AsyncGenerator<string, void, undefined> {
  const object = await bucket.get(key);
  if (!object) throw new ApiError("not_found", "No such JSONL file.");
  const reader = object.body.getReader();
  // `stream: true` keeps a UTF-8 sequence cut across chunks (or parts) whole.
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
  let pending = "";
  let done = false;
  try {
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) break;
      pending += decoder.decode(chunk.value, { stream: true });
      let start = 0;
      for (let nl = pending.indexOf("\n"); nl !== -1; nl = pending.indexOf("\n", start)) {
        yield pending.slice(start, nl);
        start = nl + 1;
      }
      pending = pending.slice(start);
    }
    pending += decoder.decode();
    done = true;
    if (pending.length > 0) yield pending;
  } finally {
    // A consumer that stops early must not leave the R2 body half-read.
    if (!done) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
