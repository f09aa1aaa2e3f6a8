import { describe, expect, it } from "vitest";
import { PartBuffer } from "../../src/datasets/jsonl/part-buffer";

/** Pushes chunks through a PartBuffer, checking after each push that it never holds more than a part. */
async function run(partBytes: number, chunks: Uint8Array[]) {
  const buffer = new PartBuffer(partBytes);
  const parts: Uint8Array[] = [];
  for (const chunk of chunks) {
    await buffer.push(chunk, async (part) => {
      parts.push(part);
    });
    expect(buffer.buffered).toBeLessThanOrEqual(partBytes);
  }
  return { parts, rest: buffer.take(), buffer };
}

function concat(arrays: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.byteLength, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.byteLength;
  }
  return out;
}

describe("PartBuffer", () => {
  it("emits parts of exactly partBytes, in order, with chunks split across them", async () => {
    const chunks = Array.from({ length: 50 }, (_, i) => new Uint8Array(1 + ((i * 7) % 13)).fill(i));
    const { parts, rest, buffer } = await run(16, chunks);
    expect(parts.every((p) => p.byteLength === 16)).toBe(true);
    expect(rest.byteLength).toBeGreaterThan(0);
    expect(rest.byteLength).toBeLessThanOrEqual(16);
    expect(concat([...parts, rest])).toEqual(concat(chunks));
    expect(buffer.peakBytes).toBeLessThanOrEqual(16);
    expect(buffer.emitted).toBe(true);
  });

  it("splits one chunk larger than several parts", async () => {
    const big = Uint8Array.from({ length: 50 }, (_, i) => i);
    const { parts, rest } = await run(16, [big]);
    expect(parts.map((p) => p.byteLength)).toEqual([16, 16, 16]);
    expect(rest.byteLength).toBe(2);
    expect(concat([...parts, rest])).toEqual(big);
  });

  it("keeps a last full part instead of emitting it, so the last part is never empty", async () => {
    const { parts, rest, buffer } = await run(8, [new Uint8Array(8), new Uint8Array(8)]);
    expect(parts.map((p) => p.byteLength)).toEqual([8]);
    expect(rest.byteLength).toBe(8);
    const single = await run(8, [new Uint8Array(8)]);
    expect(single.parts).toEqual([]);
    expect(single.buffer.emitted).toBe(false);
    expect(buffer.buffered).toBe(0);
  });

  it("grows from a small buffer for small files and never reserves more than a part", async () => {
    const partBytes = 1024 * 1024;
    const { buffer, rest } = await run(partBytes, [new Uint8Array(100)]);
    expect(rest.byteLength).toBe(100);
    expect(buffer.peakBytes).toBe(64 * 1024);
    const large = await run(partBytes, Array.from({ length: 40 }, () => new Uint8Array(100_000)));
    expect(large.buffer.peakBytes).toBe(partBytes);
  });

  it("refuses a part size that is not a positive integer", () => {
    expect(() => new PartBuffer(0)).toThrow(RangeError);
    expect(() => new PartBuffer(1.5)).toThrow(RangeError);
  });
});
