/**
 * Spans are [start, end) offsets into the source string, in UTF-16 code units (JavaScript string
 * indices), so every chunk is `source.slice(start, end)` and never a rewritten copy.
 */

/** The same set of characters as the `\s` class that the tokenizers' pre-split regexes use. */
export function isWhitespace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0xa0) return false;
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/** [start, end) without the whitespace at either end; start === end when the span is blank. */
export function trimSpan(text: string, start: number, end: number): [number, number] {
  let a = start;
  let b = end;
  while (a < b && isWhitespace(text.charCodeAt(a))) a++;
  while (b > a && isWhitespace(text.charCodeAt(b - 1))) b--;
  return [a, b];
}

/** True when `index` falls between the two halves of a surrogate pair. */
export function splitsSurrogatePair(text: string, index: number): boolean {
  if (index <= 0 || index >= text.length) return false;
  const before = text.charCodeAt(index - 1);
  const after = text.charCodeAt(index);
  return before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 && after <= 0xdfff;
}
