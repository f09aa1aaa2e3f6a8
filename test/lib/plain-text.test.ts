import { describe, expect, it } from "vitest";
import { hasReadableText, isPlainText } from "../../src/lib/plain-text";

describe("isPlainText", () => {
  it("accepts text in any script, emoji (surrogate pairs) and combining marks", () => {
    for (const s of ["acme", "Zürich 東京 مرحبا", "🎉🚀", "e\u0301", "tab-free name with spaces", ""]) expect(isPlainText(s), s).toBe(true);
  });

  it("refuses C0 and C1 controls, NUL, DEL, lone surrogates and bidi overrides/isolates", () => {
    for (const s of ["a\u0000", "\t", "a\nb", "\u007f", "\u0085", "\ud800", "x\udfff", "\udc00\ud800", "\u202a", "\u202e", "\u2066", "\u2069"]) {
      expect(isPlainText(s), JSON.stringify(s)).toBe(false);
    }
  });
});

describe("hasReadableText", () => {
  it("needs one character that is not whitespace, control, format, surrogate or unassigned", () => {
    expect(hasReadableText("\u0000".repeat(1000))).toBe(false);
    expect(hasReadableText(" \n\t\u00a0\u200b\u202e\ufeff\u0001")).toBe(false);
    expect(hasReadableText("\u0000x")).toBe(true);
    expect(hasReadableText("東")).toBe(true);
  });
});
