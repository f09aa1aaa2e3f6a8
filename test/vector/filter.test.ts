import { describe, expect, it } from "vitest";
import { ApiError } from "../../src/errors";
import { matchesFilter, validateFilter } from "../../src/vector/filter";

function rejects(filter: unknown): ApiError {
  try {
    validateFilter(filter);
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe("validation_failed");
    return err as ApiError;
  }
  throw new Error("expected validation_failed");
}

describe("validateFilter", () => {
  it("treats undefined and {} as no filter", () => {
    expect(validateFilter(undefined)).toBeUndefined();
    expect(validateFilter({})).toBeUndefined();
  });

  it("accepts every Vectorize operator on indexed properties", () => {
    const filter = {
      document_id: { $in: ["a", "b"], $nin: ["c"], $ne: "d" },
      page: { $gt: 1, $gte: 2, $lt: 9, $lte: 8 },
      chunk_index: 3,
    };
    expect(validateFilter(filter)).toBe(filter);
  });

  it("rejects filters of 2,048 bytes or more (Vectorize's limit is under 2 KB)", () => {
    const value = (n: number) => "x".repeat(n);
    const base = JSON.stringify({ document_id: "" }).length;
    expect(validateFilter({ document_id: value(2047 - base) })).toBeDefined();
    expect(rejects({ document_id: value(2048 - base) }).message).toMatch(/2048/);
  });

  it.each([
    [[], "filter"],
    [{ page: { $exists: true } }, "filter.page.$exists"],
    [{ page: {} }, "filter.page"],
    [{ page: [1, 2] }, "filter.page"],
    [{ page: null }, "filter.page"],
    [{ page: { $in: "1" } }, "filter.page.$in"],
    [{ page: { $eq: Number.POSITIVE_INFINITY } }, "filter.page.$eq"],
    [{ document_id: { $lt: 3 } }, "filter.document_id.$lt"],
    [{ "pandas.nice": 42 }, "filter.pandas.nice"],
  ])("rejects %j at %s", (filter, path) => {
    expect((rejects(filter).details as { path: string }[])[0]!.path).toBe(path);
  });
});

describe("matchesFilter", () => {
  const meta = { document_id: "d1", page: 3 };
  it.each([
    [{ document_id: "d1" }, true],
    [{ document_id: "d2" }, false],
    [{ page: { $gte: 3, $lt: 4 } }, true],
    [{ page: { $gt: 3 } }, false],
    [{ chunk_index: { $ne: 1 } }, true],
    [{ chunk_index: { $nin: [1] } }, true],
    [{ chunk_index: { $in: [1] } }, false],
    [{ chunk_index: { $lt: 100 } }, false],
    [{ document_id: "d1", page: { $in: [1, 2] } }, false],
  ])("%j → %s (a missing property passes only $ne and $nin)", (filter, expected) => {
    expect(matchesFilter(meta, validateFilter(filter)!)).toBe(expected);
  });
});
