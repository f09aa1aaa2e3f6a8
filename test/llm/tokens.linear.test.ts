import fc from "fast-check";
import cl100k from "gpt-tokenizer/encoding/cl100k_base";
import o200k from "gpt-tokenizer/encoding/o200k_base";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type BpeEncoding, emptyWork, heapMergeCount, LIBRARY_MERGE_MAX_CHARS, linearCounter, rankOfBytes, utf8Length } from "../../src/llm/bpe-count";
import { countChatTokens, tokenCounter } from "../../src/llm";
import { ADVERSARIAL_SHAPES, type AdversarialShape, adversarialText } from "../fixtures/adversarial";

// Each shape is run by the public counter: the pre-token handed to the library's quadratic merge
// stays short however long the run (work counted, never timed).
const ENCODINGS = [
  ["o200k_base", o200k],
  ["cl100k_base", cl100k],
] as const;
const SHAPES = Object.keys(ADVERSARIAL_SHAPES) as AdversarialShape[];
const exact = (enc: typeof o200k, text: string) => enc.countTokens(text, { disallowedSpecial: new Set() });
const asBpe = (enc: typeof o200k) => enc as unknown as BpeEncoding;

afterEach(() => {
  vi.restoreAllMocks();
});

describe("token counting on adversarial shapes", () => {
  it.each(ENCODINGS)("%s: the longest pre-token reaching the library's quadratic merge stays short on every shape", async (name, enc) => {
    const core = asBpe(enc).bytePairEncodingCoreProcessor as unknown as { bytePairMerge(bytes: Uint8Array): number[] };
    let longest = 0;
    const merge = core.bytePairMerge.bind(core);
    vi.spyOn(core, "bytePairMerge").mockImplementation((bytes: Uint8Array) => {
      longest = Math.max(longest, bytes.length);
      return merge(bytes);
    });
    const count = await tokenCounter(name);
    for (const shape of SHAPES) {
      // 12k characters: long enough that a quadratic merge shows (and today's code still ends).
      count(adversarialText(shape, 12_000));
    }
    // Bytes: a pre-token of LIBRARY_MERGE_MAX_CHARS UTF-16 units is at most 3 bytes a unit.
    expect(longest).toBeLessThanOrEqual(3 * LIBRARY_MERGE_MAX_CHARS);
  });

  it("chat counts (program runs, captures, labeling) hand a long variable to the library only in short pre-tokens", async () => {
    const core = asBpe(o200k).bytePairEncodingCoreProcessor as unknown as { bytePairMerge(bytes: Uint8Array): number[] };
    let longest = 0;
    const merge = core.bytePairMerge.bind(core);
    vi.spyOn(core, "bytePairMerge").mockImplementation((bytes: Uint8Array) => {
      longest = Math.max(longest, bytes.length);
      return merge(bytes);
    });
    const variable = adversarialText("one character", 12_000);
    const { tokens } = await countChatTokens([{ role: "user", content: `Summarise: ${variable}` }], undefined, "o200k_base");
    expect(tokens).toBeGreaterThan(12_000 / 8);
    expect(longest).toBeLessThanOrEqual(3 * LIBRARY_MERGE_MAX_CHARS);
  });

  it.each(ENCODINGS)("%s: the work grows linearly when the input doubles (exactness: the properties below)", (_name, enc) => {
    for (const shape of SHAPES) {
      const small = emptyWork();
      const large = emptyWork();
      const text = adversarialText(shape, 20_000);
      linearCounter(asBpe(enc), small)(text);
      linearCounter(asBpe(enc), large)(text + text);
      expect(small.longestLibraryPreToken).toBeLessThanOrEqual(LIBRARY_MERGE_MAX_CHARS);
      expect(large.longestLibraryPreToken).toBeLessThanOrEqual(LIBRARY_MERGE_MAX_CHARS);
      // Heap merge: n - 1 pair look-ups to start, at most two per merge after.
      expect(large.heapRankLookups).toBeLessThanOrEqual(3 * large.heapBytes);
      expect(large.heapRankLookups).toBeLessThanOrEqual(2.1 * small.heapRankLookups + 10);
    }
  });
});

// Text made of adversarial runs and ordinary words, so that generated cases have both short and
// long pre-tokens, and run boundaries in every class the split regexes know.
const piece = fc.oneof(
  fc.constantFrom(...Object.values(ADVERSARIAL_SHAPES), " ", "\n", "The", " word", "'s", "42", "é", "\u200d", "<|endoftext|>"),
  fc.string({ unit: "grapheme", maxLength: 4 }),
);
const run = fc.tuple(piece, fc.integer({ min: 1, max: 120 })).map(([p, times]) => p.repeat(times));
const adversarialInput = fc.array(run, { maxLength: 8 }).map((runs) => runs.join(""));

describe("token counts against the library's exact count (property)", () => {
  it.each(ENCODINGS)("%s: exact wherever pre-tokens can be merged here", (_name, enc) => {
    const count = linearCounter(asBpe(enc));
    fc.assert(
      fc.property(adversarialInput, (text) => count(text) === exact(enc, text)),
      { numRuns: 300 },
    );
  });

  it.each(ENCODINGS)("%s: never under the exact count when long pre-tokens are cut to their bytes", (_name, enc) => {
    // Small limits, so that generated inputs take the library, heap and byte-count paths.
    const work = emptyWork();
    const count = linearCounter(asBpe(enc), work, { libraryMaxChars: 8, heapMaxBytes: 64, windowChars: 96 });
    fc.assert(
      fc.property(adversarialInput, (text) => count(text) >= exact(enc, text)),
      { numRuns: 300 },
    );
    expect(work.byteCountedPreTokens).toBeGreaterThan(0);
    expect(work.byteCountedRuns).toBeGreaterThan(0);
    expect(work.heapBytes).toBeGreaterThan(0);
  });

  it.each(ENCODINGS)("%s: exact across regex windows wherever a window holds a certain boundary", (_name, enc) => {
    const work = emptyWork();
    const count = linearCounter(asBpe(enc), work, { libraryMaxChars: LIBRARY_MERGE_MAX_CHARS, heapMaxBytes: 1 << 20, windowChars: 16 });
    // Whitespace runs (greedy across a cut), letters that are surrogate pairs, marks: words and
    // separators such that a 16-unit window always holds a space after a non-space.
    const words = fc.constantFrom("ab", "ab𝐀𝐁cd", "𝐀𝐁𝐂", "😀", "42", "!?", "e\u0301", "漢字", "x", "'s");
    const separators = fc.constantFrom(" ", "  ", " \n ", " \n \n", " \t");
    const shortRuns = fc.array(fc.tuple(words, separators), { maxLength: 60 }).map((p) => p.flat().join(""));
    fc.assert(
      fc.property(shortRuns, (text) => count(text) === exact(enc, text)),
      { numRuns: 300 },
    );
    expect(work.byteCountedRuns).toBe(0);
  });

  it("merges by the library's rule: lowest rank first, leftmost on a tie", () => {
    const core = asBpe(o200k).bytePairEncodingCoreProcessor as unknown as {
      bytePairMerge(bytes: Uint8Array): number[];
      getBpeRankFromBytes(bytes: Uint8Array): number | undefined;
      getBpeRankFromString(text: string): number | undefined;
    };
    fc.assert(
      fc.property(adversarialInput, (text) => {
        const bytes = new TextEncoder().encode(text.slice(0, 400));
        return heapMergeCount(bytes, core) === core.bytePairMerge(bytes).length;
      }),
      { numRuns: 200 },
    );
  });
});

describe("rankOfBytes", () => {
  it.each(ENCODINGS)("%s: answers the library's rank for any bytes, valid UTF-8 or not", (_name, enc) => {
    const core = asBpe(enc).bytePairEncodingCoreProcessor as unknown as Parameters<typeof rankOfBytes>[0];
    const utf8 = new TextEncoder();
    const fromText = adversarialInput.map((t) => utf8.encode(t.slice(0, 6)));
    // Raw bytes: stray continuations, overlongs, surrogates encoded, truncated sequences.
    const raw = fc.uint8Array({ minLength: 1, maxLength: 6 });
    const known = fc.constantFrom(" the", "ing", "😀", "漢", "\u00e9", "\n\n").map((t) => utf8.encode(t));
    fc.assert(
      fc.property(fc.oneof(fromText, raw, known), (bytes) => rankOfBytes(core, bytes) === core.getBpeRankFromBytes(bytes)),
      { numRuns: 2000 },
    );
  });
});

describe("utf8Length", () => {
  it("is TextEncoder's byte length, lone surrogates included", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => utf8Length(text) === new TextEncoder().encode(text).byteLength),
      { numRuns: 500 },
    );
    expect(utf8Length("\ud800x\udc00😀é")).toBe(3 + 1 + 3 + 4 + 2);
  });
});
