import { ApiError } from "../../errors";
import type { JsonlLine, LineError, ParsedJsonl } from "./parse";

/** What an import will add, and what it leaves out. */
export interface ImportPlan {
  accept: JsonlLine[];
  /** Problems of the skipped lines (the first MAX_LINE_ERRORS). */
  rejected: LineError[];
  /** Invalid lines left out (with skipInvalid). */
  skipped: number;
  skipped_blank: number;
}

/**
 * Decides an import: all lines when all pass; only the valid ones with `skipInvalid`; otherwise
 * nothing, as a `validation_failed` error listing every bad line's problems (up to
 * MAX_LINE_ERRORS) with their line numbers. A file with no example at all is refused too.
 */
export function planImport(parsed: ParsedJsonl, opts: { skipInvalid: boolean }): ImportPlan {
  decideImport({ ...parsed, valid_lines: parsed.lines.length }, opts);
  return { accept: parsed.lines, rejected: parsed.errors, skipped: parsed.invalid_lines, skipped_blank: parsed.skipped_blank };
}

/** What deciding an import needs: the tallies of a parse, not its lines (a streamed import never holds them). */
export type ImportTally = Omit<ParsedJsonl, "lines"> & { valid_lines: number };

/** `planImport`'s decision on tallies alone: throws when nothing may be imported, else returns. */
export function decideImport(parsed: ImportTally, opts: { skipInvalid: boolean }): void {
  if (parsed.valid_lines === 0 && parsed.invalid_lines === 0) {
    throw new ApiError("validation_failed", "The file has no examples: every line is blank.", { details: [] });
  }
  if (parsed.invalid_lines > 0 && !opts.skipInvalid) {
    const n = parsed.invalid_lines;
    const first = parsed.errors[0];
    const listed =
      parsed.error_total > parsed.errors.length ? ` The first ${parsed.errors.length} of ${parsed.error_total} problems are listed.` : "";
    throw new ApiError(
      "validation_failed",
      `${n} line${n === 1 ? " is" : "s are"} invalid; nothing was imported (skip_invalid imports the valid ones). ` +
        `First: line ${first?.line}: ${first?.message}.${listed}`,
      { details: parsed.errors },
    );
  }
}
