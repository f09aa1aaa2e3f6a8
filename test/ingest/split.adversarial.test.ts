import { describe, expect, it } from "vitest";
import { type Chunk, chunkProblems, embedText, splitText, type SplitEncoding } from "../../src/ingest/split";
import { tokenCounter } from "../../src/llm";

// A deterministic stream of letters, words and whitespace for the inputs below.
function letters(seed: number) {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state;
  };
}
const next = letters(7);
const WORDS = "model teacher student data training learning results retrieval chunk token split evaluation".split(" ");
const word = () => WORDS[next() % WORDS.length]!;
const SPACES = [" ", "  ", "\t", " \t ", "\n", "\n\n", "   \n\n\n   ", "\u00a0", "\u3000 "];

interface Case {
  name: string;
  text: string;
  chunkSize: number;
  chunkOverlap: number;
  metadataText?: string;
  /** Whether pieces are small enough that consecutive chunks overlap. */
  overlaps: boolean;
}

const CASES: Case[] = [
  {
    name: "no punctuation at all",
    text: Array.from({ length: 3000 }, word).join(" "),
    chunkSize: 128,
    chunkOverlap: 32,
    metadataText: "title: اللغة العربية\nsource: עברית.txt",
    overlaps: true,
  },
  {
    name: "one 50,000-character word",
    text: Array.from({ length: 50_000 }, () => String.fromCharCode(97 + (next() % 26))).join(""),
    chunkSize: 1024,
    chunkOverlap: 200,
    metadataText: "file_name: blob.txt",
    overlaps: true,
  },
  {
    name: "CJK with full stops",
    text: "自然语言处理是人工智能的一个重要领域。它研究如何让计算机理解和生成人类语言，包括机器翻译、问答系统和文本摘要等任务！大型语言模型近年来取得了显著进展？研究人员不断提出新的方法。".repeat(40),
    chunkSize: 128,
    chunkOverlap: 32,
    overlaps: true,
  },
  {
    name: "CJK without punctuation or spaces",
    text: "日本語の文章には単語の間に空白がありません句読点もない長い文字列".repeat(100),
    chunkSize: 100,
    chunkOverlap: 24,
    overlaps: true,
  },
  {
    name: "ZWJ emoji sequences",
    text: "👨‍👩‍👧‍👦👩🏽‍🚀🏳️‍🌈🇯🇵❤️‍🔥🧑🏿‍🤝‍🧑🏻".repeat(300),
    chunkSize: 64,
    chunkOverlap: 16,
    overlaps: true,
  },
  {
    name: "RTL Arabic and Hebrew",
    text: "اللغة العربية هي إحدى أكثر اللغات انتشاراً في العالم. يتحدث بها أكثر من ٤٠٠ مليون شخص! עברית היא שפה שמית. היא השפה הרשמית של ישראל? ".repeat(60),
    chunkSize: 128,
    chunkOverlap: 32,
    overlaps: true,
  },
  {
    name: "special-token strings such as <|endoftext|>",
    text: "Model output <|endoftext|> then <|fim_prefix|>code<|fim_suffix|> and <|im_start|>user hi<|im_end|>. <|endofprompt|> ".repeat(150),
    chunkSize: 200,
    chunkOverlap: 60,
    metadataText: "file_name: <|endoftext|>.txt\nnote: <|im_start|>",
    overlaps: true,
  },
  {
    name: "only whitespace runs between words",
    text: Array.from({ length: 2500 }, () => word() + SPACES[next() % SPACES.length]).join(""),
    chunkSize: 128,
    chunkOverlap: 32,
    overlaps: true,
  },
  {
    name: "CRLF line endings",
    text: Array.from({ length: 120 }, (_, i) => `Line ${i} reports results (Lee et al., 2023).\r\n${i % 5 === 4 ? "\r\n" : ""}`).join(""),
    chunkSize: 96,
    chunkOverlap: 24,
    metadataText: "source: notes.txt\r\npage: 1",
    overlaps: true,
  },
  {
    name: "a whitespace run longer than a chunk",
    text: `alpha${" ".repeat(20_000)}beta\n\n${"\n".repeat(3000)}gamma`,
    chunkSize: 64,
    chunkOverlap: 8,
    overlaps: false,
  },
];

const ENCODINGS: SplitEncoding[] = ["cl100k_base", "o200k_base"];
const optionsOf = (c: Case, encoding: SplitEncoding) => ({
  chunkSize: c.chunkSize,
  chunkOverlap: c.chunkOverlap,
  metadataText: c.metadataText,
  encoding,
});
const results = new Map<string, Promise<Chunk[]>>();
const split = (c: Case, encoding: SplitEncoding) => {
  const key = `${c.name}|${encoding}`;
  if (!results.has(key)) results.set(key, splitText(c.text, optionsOf(c, encoding)));
  return results.get(key)!;
};

describe.each(ENCODINGS)("splitText on adversarial text (%s)", (encoding) => {
  describe.each(CASES)("$name", (c) => {
    it("keeps every chunk, embedded with its metadata, within chunk_size tokens", async () => {
      const count = await tokenCounter(encoding);
      const chunks = await split(c, encoding);
      expect(chunks.length).toBeGreaterThan(1);
      for (const chunk of chunks) expect(count(embedText(c.metadataText, chunk.text))).toBeLessThanOrEqual(c.chunkSize);
    });

    it("returns exact source slices, trimmed, never empty, with their true token counts", async () => {
      const count = await tokenCounter(encoding);
      for (const chunk of await split(c, encoding)) {
        expect(chunk.text).toBe(c.text.slice(chunk.start, chunk.end));
        expect(chunk.text.trim()).toBe(chunk.text);
        expect(chunk.text).not.toBe("");
        expect(chunk.tokens).toBe(count(chunk.text));
      }
    });

    it("covers every non-whitespace character in order", async () => {
      let covered = 0;
      let previousStart = -1;
      for (const chunk of await split(c, encoding)) {
        expect(chunk.start).toBeGreaterThan(previousStart);
        expect(c.text.slice(covered, chunk.start).trim()).toBe("");
        covered = Math.max(covered, chunk.end);
        previousStart = chunk.start;
      }
      expect(c.text.slice(covered).trim()).toBe("");
    });

    it("returns the same chunks on a second run", async () => {
      expect(await splitText(c.text, optionsOf(c, encoding))).toEqual(await split(c, encoding));
    });

    it("overlaps consecutive chunks by at most chunk_overlap tokens, where pieces are small enough", async () => {
      const count = await tokenCounter(encoding);
      const chunks = await split(c, encoding);
      let overlapping = 0;
      for (let i = 1; i < chunks.length; i++) {
        const end = chunks[i - 1]!.end;
        if (chunks[i]!.start >= end) continue;
        overlapping++;
        expect(count(c.text.slice(chunks[i]!.start, end).trim())).toBeLessThanOrEqual(c.chunkOverlap);
      }
      if (c.overlaps) expect(overlapping).toBeGreaterThanOrEqual((chunks.length - 1) / 2);
    });

    it("passes the full guarantee check", async () => {
      const count = await tokenCounter(encoding);
      expect(chunkProblems(c.text, await split(c, encoding), { ...c, count })).toEqual([]);
    });
  });
});

describe("splitText at the character level", () => {
  const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
  const graphemeStarts = (text: string) =>
    new Set([...new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(text)].map((s) => s.index));

  it("never cuts inside a ZWJ emoji sequence, a flag or a surrogate pair", async () => {
    const text = "👨‍👩‍👧‍👦🇯🇵🧑🏿‍🤝‍🧑🏻".repeat(200);
    const starts = graphemeStarts(text);
    for (const encoding of ENCODINGS) {
      for (const chunk of await splitText(text, { chunkSize: 48, chunkOverlap: 12, encoding })) {
        expect(chunk.text).not.toMatch(loneSurrogate);
        expect(starts.has(chunk.start)).toBe(true);
        expect(starts.has(chunk.end) || chunk.end === text.length).toBe(true);
      }
    }
  });

  it("cuts one grapheme cluster too large for a chunk at code points, never inside a pair", async () => {
    // One cluster: a base letter under 3,000 combining marks.
    const text = `a${"\u0301\u{1D167}".repeat(1500)}`;
    const chunks = await splitText(text, { chunkSize: 32, chunkOverlap: 0, encoding: "o200k_base" });
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(chunk.text).not.toMatch(loneSurrogate);
  });

  it("treats special-token strings as ordinary text, never as control tokens", async () => {
    const text = "before <|endoftext|> after";
    const [chunk] = await splitText(text, { chunkSize: 16, chunkOverlap: 0 });
    expect(chunk?.text).toBe(text);
    expect(chunk?.tokens).toBeGreaterThan(5);
  });
});
