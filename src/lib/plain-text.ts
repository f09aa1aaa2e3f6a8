import { z } from "zod";

/**
 * Names and identifiers (a tenant's, a key's, a document's title, a provider's job id, a model, a
 * metadata value) are shown in lists, logs, file names and provider URLs. Characters that are
 * invisible or change how the rest of a line renders have no place in them:
 * - C0 and C1 control characters, NUL included, and DEL;
 * - bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), the "Trojan Source" set,
 *   which make a name read differently from what it is;
 * - lone surrogates, which are not text at all: `encodeURIComponent` throws on them, and UTF-8
 *   encoders replace them, so the name stored would not be the name sent.
 */
const UNSAFE = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const PLAIN_TEXT_MESSAGE = "must not contain control characters (NUL included), lone surrogates or bidi overrides";

/** Whether `value` is safe as a name or identifier (see the rule above). */
export function isPlainText(value: string): boolean {
  return !UNSAFE.test(value);
}

/** The rule as a zod refinement on a string schema, keeping its type (`plainText(z.string().max(100))`). */
export function plainText<T extends z.ZodString>(schema: T): T {
  return schema.refine(isPlainText, PLAIN_TEXT_MESSAGE) as T;
}

/**
 * A document's text must hold something to read: a character that is not whitespace, a control
 * or format character (zero-width, bidi), a surrogate or unassigned. 1,000 NUL bytes hold nothing.
 */
const READABLE = /[^\s\p{Cc}\p{Cf}\p{Cs}\p{Cn}]/u;

/** Whether `text` has at least one readable character. */
export function hasReadableText(text: string): boolean {
  return READABLE.test(text);
}
