import type { JsonlLimits } from "./lines";
import { checkJsonlLines, type JsonlLine, type LineError, MAX_LINE_ERRORS } from "./parse";
import { decideImport, type ImportTally } from "./plan";

const MIB = 1024 * 1024;

/** Most lines one import may have (blank ones included), and most bytes: refused with a 413 naming them. */
export const IMPORT_MAX_LINES = 100_000;
export const IMPORT_MAX_BYTES = 32 * MIB;

/** Most bytes of rows one call to the tenant's object carries while an import streams (an object call may carry 32 MiB). */
export const IMPORT_PAGE_BYTES = 4 * MIB;

/** What a streamed import did; the rows themselves went out page by page. */
export interface StreamedImport {
  /** Rows staged (every valid line, duplicates included). */
  staged: number;
  /** Problems of the skipped lines (the first MAX_LINE_ERRORS). */
  rejected: LineError[];
  skipped: number;
  skipped_blank: number;
  /** Object calls made, and the most bytes one carried (row text, UTF-16 length × 3). */
  pages: number;
  max_page_bytes: number;
}

export interface StreamImportOptions<Row> {
  limits: JsonlLimits;
  skipInvalid: boolean;
  /** The row a valid line becomes. */
  toRow: (line: JsonlLine) => Promise<Row>;
  /** The bytes a row costs in an object call. */
  sizeOf: (row: Row) => number;
  /** Stores a page of rows where reads cannot see them yet (staged). */
  stage: (rows: Row[]) => Promise<void>;
  pageBytes?: number;
}

/**
 * Streams a JSONL body into staged rows, page by page, holding one page at a time: each line is
 * parsed and checked as it arrives, each valid one turned into a row, and a page goes out once it
 * reaches `pageBytes`. The decision is `planImport`'s, made on the tallies at the end: it throws
 * (and the caller discards what was staged) when nothing may be imported. Once a bad line means the
 * import will be refused, rows stop being staged, but the file is still read to report every line.
 */
export async function streamImport<Row>(stream: ReadableStream<Uint8Array>, opts: StreamImportOptions<Row>): Promise<StreamedImport> {
  const pageBytes = opts.pageBytes ?? IMPORT_PAGE_BYTES;
  const tally: ImportTally = { errors: [], error_total: 0, invalid_lines: 0, skipped_blank: 0, total_lines: 0, valid_lines: 0 };
  const out: StreamedImport = { staged: 0, rejected: [], skipped: 0, skipped_blank: 0, pages: 0, max_page_bytes: 0 };
  let page: Row[] = [];
  let bytes = 0;
  const flush = async () => {
    if (page.length === 0) return;
    await opts.stage(page);
    out.pages++;
    out.max_page_bytes = Math.max(out.max_page_bytes, bytes);
    out.staged += page.length;
    page = [];
    bytes = 0;
  };
  for await (const item of checkJsonlLines(stream, opts.limits)) {
    tally.total_lines = item.line;
    if ("blank" in item) {
      tally.skipped_blank++;
    } else if (item.errors) {
      tally.invalid_lines++;
      tally.error_total += item.errors.length;
      for (const e of item.errors) if (tally.errors.length < MAX_LINE_ERRORS) tally.errors.push(e);
    } else {
      tally.valid_lines++;
      if (tally.invalid_lines > 0 && !opts.skipInvalid) continue; // refused at the end: stage no more
      const row = await opts.toRow(item);
      const size = opts.sizeOf(row);
      if (page.length > 0 && bytes + size > pageBytes) await flush();
      page.push(row);
      bytes += size;
    }
  }
  decideImport(tally, { skipInvalid: opts.skipInvalid });
  await flush();
  return { ...out, rejected: tally.errors, skipped: tally.invalid_lines, skipped_blank: tally.skipped_blank };
}
