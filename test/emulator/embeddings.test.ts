import { encode } from "gpt-tokenizer/encoding/cl100k_base";
import { BadRequestError } from "openai";
import { describe, expect, it } from "vitest";
import { callEmulator, emulatorClient } from "../helpers/emulator";

const client = emulatorClient();
const cosine = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot;
};
const norm = (a: ArrayLike<number>) => Math.sqrt(cosine(a, a));

describe("emulator: embeddings", () => {
  it("decodes the SDK's default base64 encoding into normalised float vectors", async () => {
    const res = await client.embeddings.create({ model: "text-embedding-3-small", input: "The cat sat on the mat." });
    expect(res.object).toBe("list");
    expect(res.model).toBe("text-embedding-3-small");
    const vector = res.data[0]!.embedding;
    expect(vector).toHaveLength(1536);
    expect(norm(vector)).toBeCloseTo(1, 5);
    expect(res.usage).toEqual({ prompt_tokens: encode("The cat sat on the mat.").length, total_tokens: encode("The cat sat on the mat.").length });
  });

  it("counts a long run without whitespace exactly as the tokenizer does (its count is linear, like the Worker's)", async () => {
    const input = "x".repeat(12_000) + "🙂".repeat(2_000);
    const res = await client.embeddings.create({ model: "text-embedding-3-small", input });
    expect(res.usage.prompt_tokens).toBe(encode(input).length);
  });

  it("returns the same vector as float and as base64", async () => {
    const input = ["Retrieval augmentation reduces hallucination.", "Scaling laws relate loss and compute."];
    const floats = await client.embeddings.create({ model: "text-embedding-3-large", input, encoding_format: "float" });
    const decoded = await client.embeddings.create({ model: "text-embedding-3-large", input });
    expect(floats.data.map((d) => d.index)).toEqual([0, 1]);
    expect(floats.data[0]!.embedding).toHaveLength(3072);
    for (let i = 0; i < 2; i++) {
      const a = floats.data[i]!.embedding;
      const b = decoded.data[i]!.embedding;
      expect(Array.from(b).slice(0, 50)).toEqual(a.slice(0, 50).map((x) => Math.fround(x)));
    }
    const raw = await callEmulator("/v1/embeddings", {
      method: "POST",
      headers: { Authorization: "Bearer x", "content-type": "application/json" },
      body: JSON.stringify({ model: "text-embedding-3-small", input: "hello", encoding_format: "base64" }),
    });
    const body = (await raw.json()) as { data: Array<{ embedding: string }> };
    expect(typeof body.data[0]!.embedding).toBe("string");
    expect(atob(body.data[0]!.embedding).length).toBe(1536 * 4);
  });

  it("honours dimensions", async () => {
    const res = await client.embeddings.create({ model: "text-embedding-3-small", input: "short vectors", dimensions: 256 });
    expect(res.data[0]!.embedding).toHaveLength(256);
    expect(norm(res.data[0]!.embedding)).toBeCloseTo(1, 5);
  });

  it("puts texts that share words closer than unrelated ones", async () => {
    const res = await client.embeddings.create({
      model: "text-embedding-3-small",
      input: ["The transformer model uses attention layers.", "Attention layers are the core of the transformer model.", "Bake the bread at 200 degrees for forty minutes."],
      encoding_format: "float",
    });
    const [a, b, c] = res.data.map((d) => d.embedding);
    expect(cosine(a!, b!)).toBeGreaterThan(cosine(a!, c!) + 0.2);
  });

  it("accepts token arrays as input and counts them", async () => {
    const tokens = encode("token input");
    const res = await client.embeddings.create({ model: "text-embedding-3-small", input: [tokens, tokens], encoding_format: "float" });
    expect(res.data).toHaveLength(2);
    expect(res.usage.prompt_tokens).toBe(tokens.length * 2);
    const text = await client.embeddings.create({ model: "text-embedding-3-small", input: "token input", encoding_format: "float" });
    expect(res.data[0]!.embedding).toEqual(text.data[0]!.embedding);
  });

  it("rejects more than 2048 inputs, an empty input and a chat model", async () => {
    const tooMany = await client.embeddings.create({ model: "text-embedding-3-small", input: Array.from({ length: 2049 }, (_, i) => `t${i}`) }).catch((e: unknown) => e);
    expect(tooMany).toBeInstanceOf(BadRequestError);
    expect((tooMany as BadRequestError).param).toBe("input");
    const empty = await client.embeddings.create({ model: "text-embedding-3-small", input: "" }).catch((e: unknown) => e);
    expect(empty).toBeInstanceOf(BadRequestError);
    const chat = await client.embeddings.create({ model: "gpt-4o-mini-2024-07-18", input: "x" }).catch((e: unknown) => e);
    expect(chat).toBeInstanceOf(BadRequestError);
    const dims = await client.embeddings.create({ model: "text-embedding-3-small", input: "x", dimensions: 4096 }).catch((e: unknown) => e);
    expect(dims).toBeInstanceOf(BadRequestError);
  });
});
