import { describe, expect, it } from "vitest";
import { pageText } from "../../src/ingest/extract/pdf";

/** A text run as pdf.js reports it: a 12 pt font at baseline y. */
const run = (str: string, y: number, hasEOL = true, size = 12) => ({ str, hasEOL, transform: [size, 0, 0, size, 72, y] });

describe("pageText: a page's runs as text", () => {
  it("joins runs into lines and lines into paragraphs where the vertical gap is large", () => {
    const text = pageText([
      run("A heading", 760, true, 16),
      run("First line of a paragraph", 730),
      run("second line,", 716, false),
      run(" same line", 716),
      run("Next paragraph after a gap", 680),
    ]);
    expect(text).toBe("A heading\n\nFirst line of a paragraph\nsecond line, same line\n\nNext paragraph after a gap");
  });

  it("collapses runs of spaces, drops empty runs and NULs, and trims lines", () => {
    const text = pageText([run("  spaced   out\u0000 ", 700), run("", 690), run("   ", 686), run("tail", 686)]);
    expect(text).toBe("spaced out\ntail");
  });

  it("gives an empty string for a page without text", () => {
    expect(pageText([])).toBe("");
    expect(pageText([run("", 700), run(" ", 690)])).toBe("");
  });
});
