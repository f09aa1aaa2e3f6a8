import { describe, expect, it } from "vitest";
import { formatJsonl, parseJsonl, planImport } from "../../src/datasets/import";
import { ApiError } from "../../src/errors";
import { jsonExample, toolsExample } from "./validate.fixture";

const parse = (text: string) => parseJsonl(new Blob([text]).stream(), { maxBytes: 1024 * 1024 });
const GOOD = [JSON.stringify(toolsExample("Heat")), JSON.stringify(jsonExample("Alien")), JSON.stringify(jsonExample("Titanic"))];
// Lines 2 and 4 are bad; line 5 is blank.
const MIXED = formatJsonl([GOOD[0]!, "{oops", GOOD[1]!, JSON.stringify({ messages: [{ role: "user", content: "no answer" }] }), "", GOOD[2]!]);

describe("planImport", () => {
  it("accepts every line when all pass", async () => {
    const plan = planImport(await parse(formatJsonl(GOOD)), { skipInvalid: false });
    expect(plan.accept.map((l) => [l.line, l.text])).toEqual([
      [1, GOOD[0]],
      [2, GOOD[1]],
      [3, GOOD[2]],
    ]);
    expect(plan).toMatchObject({ rejected: [], skipped: 0, skipped_blank: 0 });
  });

  it("imports nothing when a line is bad, listing every bad line with its number and reason", async () => {
    const parsed = await parse(MIXED);
    const thrown = thrownBy(() => planImport(parsed, { skipInvalid: false }));
    const e = thrown;
    expect(e.code).toBe("validation_failed");
    expect(e.status).toBe(400);
    expect(e.message).toMatch(/^2 lines are invalid; nothing was imported \(skip_invalid imports the valid ones\)\. First: line 2: the line is not valid JSON/);
    expect(e.details).toEqual([
      { line: 2, kind: "invalid_json", message: expect.stringMatching(/^the line is not valid JSON/) },
      { line: 4, kind: "example_missing_assistant_message", path: "messages", message: 'the example has no "assistant" message: there is nothing to train on' },
    ]);
  });

  it("with skip_invalid imports only the valid lines and counts the skipped ones", async () => {
    const plan = planImport(await parse(MIXED), { skipInvalid: true });
    expect(plan.accept.map((l) => l.line)).toEqual([1, 3, 6]);
    expect(plan.accept.map((l) => l.text)).toEqual(GOOD);
    expect(plan.skipped).toBe(2);
    expect(plan.skipped_blank).toBe(1);
    expect(plan.rejected.map((r) => [r.line, r.kind])).toEqual([
      [2, "invalid_json"],
      [4, "example_missing_assistant_message"],
    ]);
  });

  it("says how many problems it lists when there are more than it keeps", async () => {
    const parsed = await parse("[]\n".repeat(1_200));
    const thrown = thrownBy(() => planImport(parsed, { skipInvalid: false }));
    expect(thrown.message).toMatch(/^1200 lines are invalid; .* The first 1000 of 1200 problems are listed\.$/);
    expect(thrown.details).toHaveLength(1_000);
  });

  it("refuses a file with no examples at all", async () => {
    for (const text of ["", "\n\n", "  \r\n"]) {
      const parsed = await parse(text);
      expect(parsed.lines).toEqual([]);
      expect(thrownBy(() => planImport(parsed, { skipInvalid: true }))).toMatchObject({
        code: "validation_failed",
        message: "The file has no examples: every line is blank.",
      });
    }
  });
});

/** The ApiError `fn` throws, for assertions on the error itself. */
function thrownBy(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  return expect.unreachable("no error was thrown");
}
