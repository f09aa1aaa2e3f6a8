import { describe, expect, it } from "vitest";
import { agreement } from "../../src/evals";
import { bestPairing } from "../../src/evals/pairing";

describe("agreement with the reference", () => {
  const reference = { title: "Abbey Road", year: 1969, citations: [{ author: "Lin et al.", year: 2021 }, { author: "Wei et al.", year: 2022 }] };

  it("is 1.0 and an exact match for the reference itself, keys in any order", () => {
    expect(agreement(reference, { citations: reference.citations, year: 1969, title: "Abbey Road" })).toMatchObject({ score: 1, exact: 1, matched: 6, total: 6 });
  });

  it("normalises strings (case, punctuation, spacing) but then is no exact match", () => {
    expect(agreement(reference, { ...reference, title: "  abbey   road! " })).toMatchObject({ score: 1, exact: 0 });
  });

  it("matches array items by the best pairing, whatever their order", () => {
    const swapped = { ...reference, citations: [reference.citations[1], reference.citations[0]] };
    expect(agreement(reference, swapped)).toMatchObject({ score: 1, exact: 0 });
  });

  it("is 0.5 when half the reference's leaves are matched", () => {
    const r = agreement(reference, { title: "Let It Be", year: 1969, citations: [{ author: "Wei et al.", year: 2021 }, { author: "Nobody", year: 2022 }] });
    // year ✓, title ✗; best pairing: Lin↔(Wei,2021): year ✓; Wei↔(Nobody,2022): year ✓ → 3 of 6.
    expect(r).toMatchObject({ matched: 3, total: 6, score: 0.5, exact: 0 });
  });

  it("counts reference items the output lacks, and ignores extra output fields", () => {
    expect(agreement(reference, { title: "Abbey Road", year: 1969, citations: [reference.citations[0]], invented: "x" })).toMatchObject({ matched: 4, total: 6 });
  });

  it("is undetermined without an output or a reference", () => {
    expect(agreement(reference, null)).toMatchObject({ score: null, undetermined: "no_output" });
    expect(agreement(null, reference)).toMatchObject({ score: null, undetermined: "no_reference" });
  });

  it("pairs rows and columns for the largest total gain", () => {
    expect(bestPairing([[3, 1], [3, 0]]).total).toBe(4);
    expect(bestPairing([[1, 2, 3], [2, 4, 6], [3, 6, 9]]).total).toBe(14);
    expect(bestPairing([[5], [7], [1]])).toEqual({ total: 7, pairs: [[1, 0]] });
    expect(bestPairing([])).toEqual({ total: 0, pairs: [] });
  });
});
