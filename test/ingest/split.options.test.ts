import { describe, expect, it } from "vitest";
import { ApiError } from "../../src/errors";
import {
  chunkProblems,
  formatMetadata,
  METADATA_SEPARATOR,
  MIN_TEXT_TOKENS,
  parseSplitOptions,
  resolveSplitSettings,
  splitText,
} from "../../src/ingest/split";
import { tokenCounter } from "../../src/llm";

const TEXT = Array.from(
  { length: 60 },
  (_, i) => `Finding ${i} holds across the evaluation set, as Chen et al. (2024) report for study ${i}.`,
).join(" ");

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

function thrown(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    return err as ApiError;
  }
  throw new Error("expected an ApiError");
}

describe("splitText metadata", () => {
  it("counts the metadata, as embedded, against chunk_size", async () => {
    const count = await tokenCounter("cl100k_base");
    const metadataText = formatMetadata({ file_name: "findings.md", title: "Findings across studies", year: 2024 });
    const metadataTokens = count(metadataText + METADATA_SEPARATOR);
    const plain = await splitText(TEXT, { chunkSize: 128, chunkOverlap: 0 });
    const withMetadata = await splitText(TEXT, { chunkSize: 128, chunkOverlap: 0, metadataText });
    expect(withMetadata.length).toBeGreaterThan(plain.length);
    expect(Math.max(...plain.map((c) => c.tokens))).toBeGreaterThan(128 - metadataTokens);
    for (const chunk of withMetadata) {
      expect(chunk.tokens).toBeLessThanOrEqual(128 - metadataTokens);
      expect(count(`${metadataText}\n\n${chunk.text}`)).toBeLessThanOrEqual(128);
    }
  });

  it("keeps chunks within chunk_size where o200k's pre-split joins a leading / to the metadata", async () => {
    // o200k_base puts "/\n\n/" in one pre-split part: the embedded count is not metadata + chunk.
    const text = Array.from({ length: 300 }, (_, i) => `/usr/lib/x${i}/./..//${"/".repeat(i % 5)}bin`).join("\n");
    const metadataText = "root: //";
    const count = await tokenCounter("o200k_base");
    for (const chunkSize of [28, 40, 49]) {
      const chunks = await splitText(text, { chunkSize, chunkOverlap: 4, encoding: "o200k_base", metadataText });
      expect(chunkProblems(text, chunks, { count, chunkSize, chunkOverlap: 4, metadataText })).toEqual([]);
    }
  });

  it("formats metadata as LlamaIndex does: one key: value line per entry", () => {
    expect(formatMetadata({ file_name: "a.pdf", page: 3, tags: ["x", "y"], skipped: undefined })).toBe(
      'file_name: a.pdf\npage: 3\ntags: ["x","y"]',
    );
  });

  it("rejects metadata that leaves too little room for text, with a 400 that says so", async () => {
    const err = await rejection(splitText(TEXT, { chunkSize: 32, chunkOverlap: 0, metadataText: "title: ".padEnd(200, "long ") }));
    expect(err.status).toBe(400);
    expect(err.code).toBe("validation_failed");
    expect(err.message).toMatch(/Metadata is too long: it takes \d+ of the chunk_size of 32 tokens/);
  });

  it("accepts metadata that leaves exactly the minimum room for text, and refuses one token less", async () => {
    const count = await tokenCounter("cl100k_base");
    // Long enough that the minimum room lands above the smallest chunk_size (16), so the case is at the minimum.
    const metadataText = "file_name: findings.md\ntitle: Findings across the evaluation set";
    const metadataTokens = count(metadataText + METADATA_SEPARATOR);
    const chunkSize = metadataTokens + MIN_TEXT_TOKENS;
    expect(chunkSize).toBeGreaterThan(16);
    const text = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen";

    const chunks = await splitText(text, { chunkSize, chunkOverlap: 0, metadataText });
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      expect(chunk.tokens).toBeLessThanOrEqual(MIN_TEXT_TOKENS);
      expect(count(`${metadataText}${METADATA_SEPARATOR}${chunk.text}`)).toBeLessThanOrEqual(chunkSize);
    }
    expect(chunks.map((c) => c.text).join(" ")).toBe(text);

    const err = await rejection(splitText(text, { chunkSize: chunkSize - 1, chunkOverlap: 0, metadataText }));
    expect(err.code).toBe("validation_failed");
    expect(err.message).toContain(`leaving ${MIN_TEXT_TOKENS - 1}; at least ${MIN_TEXT_TOKENS} must remain`);
  });
});

describe("split options", () => {
  it("defaults to LlamaIndex's chunk_size 1024, chunk_overlap 200 and cl100k_base", () => {
    expect(parseSplitOptions({})).toEqual({ chunkSize: 1024, chunkOverlap: 200, encoding: "cl100k_base", metadataText: "" });
  });

  it.each([
    [{ chunkSize: 100, chunkOverlap: 100 }, "chunkOverlap", /smaller than chunkSize/],
    [{ chunkSize: 100, chunkOverlap: 150 }, "chunkOverlap", /smaller than chunkSize/],
    [{ chunkSize: 0 }, "chunkSize", /16/],
    [{ chunkSize: -5 }, "chunkSize", /16/],
    [{ chunkSize: 10.5 }, "chunkSize", /int/i],
    [{ chunkOverlap: -1 }, "chunkOverlap", /0/],
    [{ encoding: "p50k_base" }, "encoding", /cl100k_base/],
    [{ chunk_size: 512 }, "", /chunk_size/],
  ])("rejects %o with a 400 naming %s", (options, path, message) => {
    const err = thrown(() => parseSplitOptions(options));
    expect(err.status).toBe(400);
    expect(err.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
    expect(err.message).toMatch(message);
  });

  it("rejects invalid options in splitText before loading any encoding", async () => {
    const err = await rejection(splitText(TEXT, { chunkSize: 64, chunkOverlap: 64 }));
    expect(err.code).toBe("validation_failed");
  });

  it("splits with o200k_base when asked, counting with it", async () => {
    const count = await tokenCounter("o200k_base");
    const cjk = "自然语言处理是人工智能的一个重要领域。".repeat(30);
    const chunks = await splitText(cjk, { chunkSize: 64, chunkOverlap: 0, encoding: "o200k_base" });
    const cl100k = await splitText(cjk, { chunkSize: 64, chunkOverlap: 0, encoding: "cl100k_base" });
    expect(chunks.length).toBeLessThan(cl100k.length);
    for (const chunk of chunks) expect(chunk.tokens).toBe(count(chunk.text));
  });
});

describe("resolveSplitSettings", () => {
  it("layers the request's settings over the tenant's over the defaults", () => {
    expect(resolveSplitSettings({})).toEqual({ chunkSize: 1024, chunkOverlap: 200, encoding: "cl100k_base", metadataText: "" });
    expect(
      resolveSplitSettings({ tenant: { chunk_size: 512, encoding: "o200k_base" }, request: { chunk_overlap: 50 } }, "title: x"),
    ).toEqual({ chunkSize: 512, chunkOverlap: 50, encoding: "o200k_base", metadataText: "title: x" });
    expect(resolveSplitSettings({ tenant: { chunk_size: 512 }, request: { chunk_size: 256, chunk_overlap: 0 } })).toMatchObject({
      chunkSize: 256,
      chunkOverlap: 0,
    });
  });

  it("keeps the tenant's value where the request names a field but leaves it undefined", () => {
    expect(resolveSplitSettings({ tenant: { chunk_size: 512 }, request: { chunk_size: undefined } }).chunkSize).toBe(512);
  });

  it("rejects a request overlap that does not fit the tenant's chunk_size", () => {
    const err = thrown(() => resolveSplitSettings({ tenant: { chunk_size: 256 }, request: { chunk_overlap: 300 } }));
    expect(err.status).toBe(400);
    expect(err.message).toBe("Invalid split settings: chunk_overlap: chunk_overlap (300) must be smaller than chunk_size (256)");
  });

  it("rejects the default overlap when a tenant's chunk_size is at or below it", () => {
    const err = thrown(() => resolveSplitSettings({ tenant: { chunk_size: 200 } }));
    expect(err.details).toEqual([expect.objectContaining({ path: "chunk_overlap" })]);
  });

  it("names the layer whose settings are invalid", () => {
    expect(thrown(() => resolveSplitSettings({ tenant: { chunk_size: "big" } })).message).toMatch(/^Invalid tenant split settings: chunk_size/);
    expect(thrown(() => resolveSplitSettings({ request: { chunkSize: 100 } })).message).toMatch(/^Invalid request split settings/);
  });
});
