import { describe, expect, it } from "vitest";
import { embeddingModel, planBatches } from "../../src/ingest/embed";
import { metadataTextOf } from "../../src/ingest/pipeline";
import { tokenCounter } from "../../src/llm";
import { api, bindings, createTenant } from "../helpers/api";
import { ingestNow } from "../helpers/queues";

// Metadata of dense text (CJK ideographs, about 1.2 tokens a character under cl100k_base): the
// prefix embedded with every chunk is most of each input.
const ideographs = (key: number) => Array.from({ length: 500 }, (_, i) => String.fromCharCode(0x4e00 + (((i + key * 500) * 7919) % 20000))).join("");
const METADATA = Object.fromEntries(Array.from({ length: 6 }, (_, k) => [`k${k}`, ideographs(k)]));
const SENTENCE = "The harbour master logs each vessel that enters the bay, noting its draught and cargo. ";

describe("embedding batches", () => {
  it("count the title/metadata prefix sent with each chunk, so a large document stays under the provider's tokens per request", async () => {
    const t = await createTenant();
    const { limits } = embeddingModel(bindings);
    const count = await tokenCounter("cl100k_base");
    const prefixTokens = count(`${metadataTextOf({ title: "Harbour log", metadata: METADATA })}\n\n`);
    expect(prefixTokens).toBeGreaterThan(6_000);
    // ~46 chunks of 8,000 tokens each as sent (~370k), of which only ~1,000 are the chunk's own text.
    const text = SENTENCE.repeat(2_400);
    const res = await api("/api/documents", {
      method: "POST",
      key: t.key,
      json: { title: "Harbour log", text, metadata: METADATA, chunk_size: 8_000, chunk_overlap: 0 },
    });
    expect(res.status).toBe(202);
    await ingestNow(t.id, res.body.document.id);
    const doc = await api(`/api/documents/${res.body.document.id}`, { key: t.key });
    expect(doc.body.error).toBeNull();
    expect(doc.body.status).toBe("ready");
    // The provider counted every token sent, and that is more than one request may carry.
    const usage = await api("/api/usage", { key: t.key });
    const embedded = usage.body.data.find((r: { kind: string }) => r.kind === "embedding");
    expect(embedded.prompt_tokens).toBeGreaterThan(limits.tokens);
    expect(embedded.prompt_tokens).toBeGreaterThan(doc.body.chunk_count * prefixTokens);
  });

  it("plan within the catalog's limits: inputs and summed tokens per request, in order", () => {
    const limits = { inputs: 3, tokens: 100, inputTokens: 60 };
    const items = [50, 40, 20, 10, 10, 10, 60, 1].map((tokens, i) => ({ i, tokens }));
    const batches = planBatches(items, limits);
    expect(batches.map((b) => b.map((x) => x.i))).toEqual([[0, 1], [2, 3, 4], [5, 6, 7]]);
    for (const batch of batches) {
      expect(batch.length).toBeLessThanOrEqual(limits.inputs);
      expect(batch.reduce((s, x) => s + x.tokens, 0)).toBeLessThanOrEqual(limits.tokens);
    }
    expect(() => planBatches([{ tokens: 61 }], limits)).toThrow(/61 tokens/);
  });

  it("take their limits from the catalog entry of the embedding model", () => {
    const { entry, limits } = embeddingModel(bindings);
    expect(limits).toEqual({ inputs: entry.embedding_request!.max_inputs, tokens: entry.embedding_request!.max_tokens, inputTokens: entry.context_window });
  });
});

describe("embedTextsFloat32", () => {
  it("answers the vectors embedTexts answers, as Float32Arrays decoded from base64, with the same usage", async () => {
    const { embedTexts, embedTextsFloat32 } = await import("../../src/ingest/embed");
    const texts = ["The harbour master logs each vessel.", "漢字文本 😀", "x".repeat(3000)];
    const floats = await embedTexts(bindings, texts, "test-f32");
    const f32 = await embedTextsFloat32(bindings, texts, "test-f32");
    expect(f32.vectors).toHaveLength(3);
    f32.vectors.forEach((v, i) => {
      expect(v).toBeInstanceOf(Float32Array);
      expect(Array.from(v)).toEqual(Array.from(Float32Array.from(floats.vectors[i]!)));
    });
    expect(f32.usage.prompt_tokens).toBe(floats.usage.prompt_tokens);
  });
});
