/**
 * pdfkit's standard fonts (Helvetica, Times, Courier) encode text as WinAnsi;
 * characters outside it would come out as wrong glyphs and wrong extracted text.
 * These are spelt in ASCII instead; anything else unknown becomes "?".
 */
const REPLACEMENTS: Record<string, string> = {
  "\u2248": "~", // ≈
  "\u2192": "->", // →
  "\u2190": "<-", // ←
  "\u2264": "<=", // ≤
  "\u2265": ">=", // ≥
  "\u2212": "-", // minus sign
  "\u2010": "-", // hyphen
  "\u2011": "-", // non-breaking hyphen
  "\u00a0": " ", // no-break space
  "\u2009": " ", // thin space
  "\u202f": " ", // narrow no-break space
};

// The WinAnsi repertoire beyond Latin-1 (cp1252's 0x80–0x9F block).
const CP1252_EXTRA = new Set("€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ");

/** The text with every character pdfkit's standard fonts can draw (see above). */
export function toWinAnsi(text: string): string {
  let out = "";
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code === 0x0a || (code >= 0x20 && code <= 0x7e) || (code >= 0xa1 && code <= 0xff) || CP1252_EXTRA.has(ch)) out += ch;
    else out += REPLACEMENTS[ch] ?? "?";
  }
  return out;
}
