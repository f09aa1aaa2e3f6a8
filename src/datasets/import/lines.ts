import { ApiError } from "../../errors";

/** Limits on one JSONL upload. */
export interface JsonlLimits {
  /** Bytes of the whole body; one more and reading stops with `payload_too_large`. */
  maxBytes: number;
  /** Physical lines (blank ones included); one more and reading stops with `payload_too_large`. */
  maxLines?: number;
  /** Bytes of one line; a longer line is an error of that line (its bytes are not kept). */
  maxLineBytes?: number;
}

/**
 * A row's example is stored as one SQLite string, at most 2 MB in a Durable Object
 * (platform-facts.md), beside the row's other columns: a line is kept well under that.
 */
export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

/** One physical line: its text (terminator removed, and the BOM on line 1), or why it could not be read. */
export type RawLine =
  | { line: number; text: string }
  | { line: number; error: { kind: "invalid_utf8" | "line_too_long"; message: string } };

const LF = 0x0a;
const CR = 0x0d;
const BOM = [0xef, 0xbb, 0xbf];

/**
 * Reads a JSONL body line by line without holding more than one line: splits on LF at the byte
 * level (a UTF-8 multi-byte sequence never contains 0x0A, so each line decodes on its own and an
 * invalid sequence is reported with its line number), drops one CR before the LF, and drops a
 * UTF-8 BOM at the start of the file only. A final line without a newline is still a line; a
 * final newline does not start one. Line numbers are 1-based and count blank lines.
 */
export async function* readJsonlLines(stream: ReadableStream<Uint8Array>, limits: JsonlLimits): AsyncGenerator<RawLine> {
  const maxLineBytes = limits.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  // fatal: invalid UTF-8 throws rather than becoming U+FFFD (the text must round-trip);
  // ignoreBOM: keep a BOM that starts line 5 as text (it then fails JSON.parse, visibly).
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  const reader = stream.getReader();
  let parts: Uint8Array[] = [];
  let lineBytes = 0;
  let overlong = false;
  let total = 0;
  let line = 0;
  let finished = false;

  const append = (bytes: Uint8Array) => {
    if (overlong || bytes.byteLength === 0) return;
    if (lineBytes + bytes.byteLength > maxLineBytes) {
      overlong = true;
      parts = [];
      return;
    }
    parts.push(bytes);
    lineBytes += bytes.byteLength;
  };
  const take = (): RawLine => {
    line++;
    if (limits.maxLines !== undefined && line > limits.maxLines) {
      throw new ApiError("payload_too_large", `Imports are limited to ${limits.maxLines} lines; this file has more.`, {
        details: { max_lines: limits.maxLines },
      });
    }
    const result = overlong
      ? { line, error: { kind: "line_too_long" as const, message: `the line is longer than ${maxLineBytes} bytes` } }
      : decodeLine(decoder, line, concat(parts, lineBytes));
    parts = [];
    lineBytes = 0;
    overlong = false;
    return result;
  };

  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limits.maxBytes) {
        throw new ApiError("payload_too_large", `Imports are limited to ${limits.maxBytes} bytes; this file is larger.`, {
          details: { max_bytes: limits.maxBytes },
        });
      }
      let start = 0;
      for (let i = value.indexOf(LF); i !== -1; i = value.indexOf(LF, start)) {
        append(value.subarray(start, i));
        start = i + 1;
        yield take();
      }
      append(value.subarray(start));
    }
    finished = true;
    if (lineBytes > 0 || overlong) yield take();
  } finally {
    // Stopped early (a limit, or the consumer gave up): tell the sender not to bother with the rest.
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

function decodeLine(decoder: TextDecoder, line: number, bytes: Uint8Array): RawLine {
  let start = 0;
  let end = bytes.byteLength;
  if (line === 1 && end >= 3 && bytes[0] === BOM[0] && bytes[1] === BOM[1] && bytes[2] === BOM[2]) start = 3;
  if (end > start && bytes[end - 1] === CR) end--;
  try {
    return { line, text: decoder.decode(bytes.subarray(start, end)) };
  } catch {
    return { line, error: { kind: "invalid_utf8", message: "the line is not valid UTF-8" } };
  }
}

function concat(parts: Uint8Array[], size: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}

/** The JSONL file of `texts`: each followed by "\n" (so kept lines reproduce an LF-terminated file byte for byte). */
export function formatJsonl(texts: Iterable<string>): string {
  let out = "";
  for (const t of texts) out += `${t}\n`;
  return out;
}
