import { describe, expect, it } from "vitest";
import { checkJsonlLines, formatJsonl, type JsonlLimits, parseJsonl } from "../../src/datasets/import";
import { validateDataset } from "../../src/datasets/validate";
import { ApiError } from "../../src/errors";
import { BUILTIN_CATALOG, parseCatalog, resolveModel } from "../../src/llm";
import { fixtureRows, jsonExample, toolsExample } from "./validate.fixture";

const encoder = new TextEncoder();
const LIMITS: JsonlLimits = { maxBytes: 1024 * 1024 };

/** A body delivered in the given chunks, recording how many were pulled and whether the reader cancelled. */
function body(chunks: (string | Uint8Array)[]) {
  const state = { pulled: 0, cancelled: false };
  const bytes = chunks.map((c) => (typeof c === "string" ? encoder.encode(c) : c));
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const next = bytes[state.pulled];
        if (next === undefined) controller.close();
        else {
          state.pulled++;
          controller.enqueue(next);
        }
      },
      cancel() {
        state.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, state };
}
const parse = (text: string | (string | Uint8Array)[], limits = LIMITS) => parseJsonl(body(Array.isArray(text) ? text : [text]).stream, limits);

// Twelve valid lines written in different but valid styles: the importer must keep each as sent.
const GOOD_LINES = fixtureRows()
  .slice(0, 12)
  .map((r, i) => (i === 3 ? JSON.stringify(r.example, null, 0).replace(/,"/g, ', "') : i === 5 ? `  ${JSON.stringify(r.example)}  ` : JSON.stringify(r.example)));

describe("parseJsonl", () => {
  it("keeps each valid line's text as sent, so writing the lines back reproduces the file byte for byte", async () => {
    const file = formatJsonl(GOOD_LINES);
    // Chunks cut anywhere, even inside a line.
    const chunks = [file.slice(0, 7), file.slice(7, 1000), file.slice(1000)];
    const parsed = await parse(chunks);
    expect(parsed.errors).toEqual([]);
    expect(parsed.lines.map((l) => l.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(parsed.lines.map((l) => l.text)).toEqual(GOOD_LINES);
    expect(parsed.lines.map((l) => l.example)).toEqual(fixtureRows().slice(0, 12).map((r) => r.example));
    expect(formatJsonl(parsed.lines.map((l) => l.text))).toBe(file);
    expect(parsed).toMatchObject({ total_lines: 12, skipped_blank: 0, invalid_lines: 0, error_total: 0 });
  });

  it("reports a malformed JSON line and a line that is not an object, with their numbers", async () => {
    const file = [JSON.stringify(jsonExample("a")), '{"messages": [', "[1, 2]", '"text"', "42", JSON.stringify(jsonExample("b"))].join("\n");
    const parsed = await parse(file);
    expect(parsed.lines.map((l) => l.line)).toEqual([1, 6]);
    expect(parsed.errors.map((e) => [e.line, e.kind])).toEqual([
      [2, "invalid_json"],
      [3, "data_type"],
      [4, "data_type"],
      [5, "data_type"],
    ]);
    expect(parsed.errors[0]!.message).toMatch(/^the line is not valid JSON: /);
    expect(parsed.errors[1]!.message).toBe("an example must be a JSON object, not an array");
    expect(parsed.invalid_lines).toBe(4);
  });

  it("reports every format error with its line number and path", async () => {
    const noContent = { messages: [{ role: "user", content: "" }, { role: "assistant", content: "x" }] };
    const unknownTool = toolsExample("Heat");
    (unknownTool.messages[2] as { tool_calls: { function: { name: string } }[] }).tool_calls[0]!.function.name = "lyrics";
    const legacy = { messages: [{ role: "user", content: "x" }, { role: "assistant", function_call: { name: "f", arguments: "{}" } }], functions: [] };
    const file = formatJsonl([JSON.stringify(noContent), JSON.stringify(toolsExample("ok")), JSON.stringify(unknownTool), JSON.stringify(legacy)]);
    const parsed = await parse(file);
    expect(parsed.errors.map((e) => [e.line, e.kind, e.path])).toEqual([
      [1, "missing_content", "messages[0].content"],
      [3, "unknown_tool", "messages[2].tool_calls[0].function.name"],
      [4, "legacy_functions", "functions"],
      [4, "legacy_functions", "messages[1].function_call"],
    ]);
    expect(parsed).toMatchObject({ invalid_lines: 3, error_total: 4 });
    expect(parsed.lines.map((l) => l.line)).toEqual([2]);
  });

  it("accepts CRLF: the kept text has no CR, and LF output is the file with LF endings", async () => {
    const crlf = `${GOOD_LINES[0]}\r\n${GOOD_LINES[1]}\r\n`;
    // A CR and its LF in different chunks.
    const parsed = await parse([crlf.slice(0, GOOD_LINES[0]!.length + 1), crlf.slice(GOOD_LINES[0]!.length + 1)]);
    expect(parsed.errors).toEqual([]);
    expect(parsed.lines.map((l) => l.text)).toEqual([GOOD_LINES[0], GOOD_LINES[1]]);
    expect(formatJsonl(parsed.lines.map((l) => l.text))).toBe(crlf.replace(/\r\n/g, "\n"));
  });

  it("skips blank and whitespace-only lines but counts them in the numbering", async () => {
    const parsed = await parse(`\n${GOOD_LINES[0]}\n\n   \t\n${GOOD_LINES[1]}\n\r\n`);
    expect(parsed.lines.map((l) => l.line)).toEqual([2, 5]);
    expect(parsed).toMatchObject({ skipped_blank: 4, total_lines: 6, invalid_lines: 0 });
  });

  it("reads the same lines with or without a final newline", async () => {
    const withNewline = await parse(`${GOOD_LINES[0]}\n${GOOD_LINES[1]}\n`);
    const without = await parse(`${GOOD_LINES[0]}\n${GOOD_LINES[1]}`);
    expect(without).toEqual(withNewline);
    expect(without.total_lines).toBe(2);
  });

  it("drops a UTF-8 BOM at the start of the file only; one further down is an error of its line", async () => {
    const parsed = await parse(`\uFEFF${GOOD_LINES[0]}\n${GOOD_LINES[1]}\n\uFEFF${GOOD_LINES[2]}\n`);
    expect(parsed.lines.map((l) => [l.line, l.text])).toEqual([
      [1, GOOD_LINES[0]],
      [2, GOOD_LINES[1]],
    ]);
    expect(parsed.errors.map((e) => [e.line, e.kind])).toEqual([[3, "invalid_json"]]);
  });

  it("reports invalid UTF-8 with its line number, and decodes characters split across chunks", async () => {
    const ok = JSON.stringify(jsonExample("Amélie 🎬"));
    const bytes = encoder.encode(`${ok}\n`);
    const emoji = bytes.indexOf(0xf0);
    const bad = new Uint8Array([...encoder.encode('{"messages": "'), 0xc3, 0x28, ...encoder.encode('"}\n')]);
    const parsed = await parse([bytes.subarray(0, emoji + 2), bytes.subarray(emoji + 2), bad, `${ok}\n`]);
    expect(parsed.lines.map((l) => [l.line, l.text])).toEqual([
      [1, ok],
      [3, ok],
    ]);
    expect(parsed.errors).toEqual([{ line: 2, kind: "invalid_utf8", message: "the line is not valid UTF-8" }]);
  });

  it("reports a line over maxLineBytes as an error of that line and reads on", async () => {
    const long = JSON.stringify(jsonExample("x".repeat(2_000)));
    expect(encoder.encode(GOOD_LINES[0]).byteLength).toBeLessThan(1_000);
    const parsed = await parse(formatJsonl([GOOD_LINES[0]!, long, GOOD_LINES[1]!]), { maxBytes: 1e6, maxLineBytes: 1_000 });
    expect(parsed.lines.map((l) => l.line)).toEqual([1, 3]);
    expect(parsed.errors).toEqual([{ line: 2, kind: "line_too_long", message: "the line is longer than 1000 bytes" }]);
  });

  it("stops with payload_too_large as soon as the body passes maxBytes, without reading the rest", async () => {
    const line = `${GOOD_LINES[0]}\n`;
    const chunks = Array.from({ length: 100 }, () => line);
    const { stream, state } = body(chunks);
    const maxBytes = encoder.encode(line).byteLength * 5 + 10;
    const err = await parseJsonl(stream, { maxBytes }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: "payload_too_large", status: 413, details: { max_bytes: maxBytes } });
    expect(state.pulled).toBe(6);
    expect(state.cancelled).toBe(true);
  });

  it("stops with payload_too_large past maxLines", async () => {
    const { stream, state } = body([formatJsonl(GOOD_LINES)]);
    await expect(parseJsonl(stream, { maxBytes: 1e6, maxLines: 3 })).rejects.toMatchObject({ code: "payload_too_large" });
    expect(state.cancelled).toBe(true);
  });

  it("keeps the first 1,000 errors of a file of bad lines while counting them all", async () => {
    const parsed = await parse("{\n".repeat(1_500));
    expect(parsed).toMatchObject({ invalid_lines: 1_500, error_total: 1_500, total_lines: 1_500 });
    expect(parsed.errors).toHaveLength(1_000);
    expect(parsed.errors.at(-1)!.line).toBe(1_000);
  });
});

describe("checkJsonlLines into validateDataset", () => {
  it("streams an upload straight into a validation report", async () => {
    const catalog = parseCatalog(BUILTIN_CATALOG);
    const base = resolveModel(catalog, "gpt-4.1-mini-2025-04-14");
    async function* rows() {
      for await (const item of checkJsonlLines(body([formatJsonl(GOOD_LINES)]).stream, LIMITS)) {
        if ("blank" in item) continue;
        yield { line: item.line, example: item.errors ? null : item.example };
      }
    }
    const report = await validateDataset(rows(), { baseModel: base, provider: "openai" });
    expect(report).toMatchObject({ examples: 12, valid: 12, ok: true, epochs: 8 });
    expect(report.tokens.min).toBeGreaterThan(20);
    // $5 per 1M trained tokens for gpt-4.1-mini.
    expect(report.cost_usd_estimate).toBeCloseTo((report.billed_tokens_estimate * 5) / 1e6, 12);
  });
});
