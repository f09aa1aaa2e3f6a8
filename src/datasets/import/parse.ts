import { checkExample, type FormatErrorKind } from "../validate";
import { type JsonlLimits, readJsonlLines } from "./lines";

/** A line that passed: its parsed example, and its text exactly as sent (what the row stores and export writes). */
export interface JsonlLine {
  line: number;
  text: string;
  example: unknown;
}

export type LineErrorKind = "invalid_utf8" | "line_too_long" | "invalid_json" | FormatErrorKind;

/** One problem on one line; a line may have several. */
export interface LineError {
  line: number;
  kind: LineErrorKind;
  message: string;
  /** Where in the example, for format errors (`messages[1].content`). */
  path?: string;
}

/** One non-blank line, checked. */
export type CheckedLine = (JsonlLine & { errors?: undefined }) | { line: number; text?: string; errors: LineError[] };

export interface ParsedJsonl {
  /** The valid lines, in order. */
  lines: JsonlLine[];
  /** The first `MAX_LINE_ERRORS` problems, in line order. */
  errors: LineError[];
  /** Every problem, listed or not. */
  error_total: number;
  /** Lines with at least one problem. */
  invalid_lines: number;
  /** Blank (or whitespace-only) lines: skipped, still counted in line numbers. */
  skipped_blank: number;
  /** Physical lines read. */
  total_lines: number;
}

/** How many line errors a parse keeps: a file of a million bad lines must not become a million objects. */
export const MAX_LINE_ERRORS = 1000;

/**
 * Streams a JSONL body into checked lines: each non-blank line is JSON-parsed, then checked as a
 * chat fine-tuning example (`checkExample`). Blank lines come out as `{line, blank: true}`.
 */
export async function* checkJsonlLines(
  stream: ReadableStream<Uint8Array>,
  limits: JsonlLimits,
): AsyncGenerator<CheckedLine | { line: number; blank: true }> {
  for await (const raw of readJsonlLines(stream, limits)) {
    if ("error" in raw) {
      yield { line: raw.line, errors: [{ line: raw.line, ...raw.error }] };
      continue;
    }
    const { line, text } = raw;
    if (text.trim() === "") {
      yield { line, blank: true };
      continue;
    }
    let example: unknown;
    try {
      example = JSON.parse(text);
    } catch (err) {
      const why = err instanceof Error ? `: ${err.message}` : "";
      yield { line, text, errors: [{ line, kind: "invalid_json", message: `the line is not valid JSON${why}` }] };
      continue;
    }
    const problems = checkExample(example);
    if (problems.length > 0) {
      yield { line, text, errors: problems.map((p) => ({ line, kind: p.kind, message: p.message, path: p.path })) };
      continue;
    }
    yield { line, text, example };
  }
}

/**
 * Reads a whole JSONL upload (bounded by `limits.maxBytes`) into its valid lines and its errors
 * with line numbers. Throws `payload_too_large` as soon as the body passes a limit.
 */
export async function parseJsonl(stream: ReadableStream<Uint8Array>, limits: JsonlLimits): Promise<ParsedJsonl> {
  const parsed: ParsedJsonl = { lines: [], errors: [], error_total: 0, invalid_lines: 0, skipped_blank: 0, total_lines: 0 };
  for await (const item of checkJsonlLines(stream, limits)) {
    parsed.total_lines = item.line;
    if ("blank" in item) {
      parsed.skipped_blank++;
    } else if (item.errors) {
      parsed.invalid_lines++;
      parsed.error_total += item.errors.length;
      for (const e of item.errors) if (parsed.errors.length < MAX_LINE_ERRORS) parsed.errors.push(e);
    } else {
      parsed.lines.push({ line: item.line, text: item.text, example: item.example });
    }
  }
  return parsed;
}
