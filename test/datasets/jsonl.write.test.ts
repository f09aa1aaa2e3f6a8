import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Bindings } from "../../src/env";
import { ApiError } from "../../src/errors";
import { MIB, MIN_PART_BYTES } from "../../src/datasets/jsonl/limits";
import { readJsonlLines, writeJsonl } from "../../src/datasets/jsonl";

const bucket = (env as Bindings).DATA;
const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

interface Calls {
  puts: string[];
  creates: string[];
  parts: { partNumber: number; bytes: number }[];
  completes: number;
  aborts: number;
  uploads: { key: string; uploadId: string; parts: R2UploadedPart[] }[];
}

/** An R2Bucket that records the calls writeJsonl makes, optionally failing one uploadPart. */
function spyBucket(inner: R2Bucket, opts: { failPart?: number } = {}): { bucket: R2Bucket; calls: Calls } {
  const calls: Calls = { puts: [], creates: [], parts: [], completes: 0, aborts: 0, uploads: [] };
  const wrap = (up: R2MultipartUpload): R2MultipartUpload => {
    const record = { key: up.key, uploadId: up.uploadId, parts: [] as R2UploadedPart[] };
    calls.uploads.push(record);
    return {
      key: up.key,
      uploadId: up.uploadId,
      async uploadPart(partNumber, value, o) {
        calls.parts.push({ partNumber, bytes: (value as Uint8Array).byteLength });
        if (partNumber === opts.failPart) throw new Error("injected: R2 refused the part");
        const part = await up.uploadPart(partNumber, value, o);
        record.parts.push(part);
        return part;
      },
      async complete(parts) {
        calls.completes += 1;
        return up.complete(parts);
      },
      async abort() {
        calls.aborts += 1;
        return up.abort();
      },
    };
  };
  const bucket = {
    head: (k: string) => inner.head(k),
    get: (k: string, o?: R2GetOptions) => inner.get(k, o),
    put: (k: string, v: Parameters<R2Bucket["put"]>[1], o?: R2PutOptions) => {
      calls.puts.push(k);
      return inner.put(k, v, o);
    },
    createMultipartUpload: async (k: string, o?: R2MultipartOptions) => {
      calls.creates.push(k);
      return wrap(await inner.createMultipartUpload(k, o));
    },
    resumeMultipartUpload: (k: string, id: string) => wrap(inner.resumeMultipartUpload(k, id)),
    delete: (k: string | string[]) => inner.delete(k),
    list: (o?: R2ListOptions) => inner.list(o),
  } as R2Bucket;
  return { bucket, calls };
}

/** Chat-style lines with multi-byte characters, so part boundaries cut through code points. */
function chatLines(minBytes: number): string[] {
  const out: string[] = [];
  let bytes = 0;
  for (let i = 0; bytes < minBytes; i++) {
    const content = `q${i} ` + "héllo 日本 🙂 ".repeat(30 + (i % 17));
    const line = JSON.stringify({ messages: [{ role: "user", content }, { role: "assistant", content: `a${i}` }] });
    out.push(line);
    bytes += new TextEncoder().encode(line).byteLength + 1;
  }
  return out;
}

async function* fromArray(lines: string[], failAfter?: { index: number; error: Error }) {
  for (const [i, line] of lines.entries()) {
    if (failAfter && i === failAfter.index) throw failAfter.error;
    yield line;
  }
}

async function sha256Hex(data: ArrayBuffer | Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", data);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function joined(lines: string[]): Uint8Array {
  return new TextEncoder().encode(lines.map((l) => `${l}\n`).join(""));
}

async function stored(key: string): Promise<Uint8Array> {
  const object = await bucket.get(key);
  expect(object).not.toBeNull();
  return new Uint8Array(await object!.arrayBuffer());
}

describe("writeJsonl: single put", () => {
  it("writes a small file in one put, byte-exact, with its SHA-256 in metadata", async () => {
    const { bucket: spy, calls } = spyBucket(bucket);
    const lines = chatLines(20_000);
    const key = "tenants/tn_a/datasets/ds_small/train.jsonl";
    const result = await writeJsonl(spy, key, fromArray(lines), { customMetadata: { dataset: "ds_small" } });

    const expected = joined(lines);
    expect(calls).toMatchObject({ puts: [key], creates: [], parts: [] });
    expect(result).toMatchObject({ key, bytes: expected.byteLength, lines: lines.length, parts: 0 });
    expect(result.sha256).toBe(await sha256Hex(expected));
    expect(await stored(key)).toEqual(expected);

    const head = (await bucket.head(key))!;
    expect(head.etag).toBe(result.etag);
    expect(head.httpMetadata?.contentType).toBe("application/x-ndjson");
    expect(head.customMetadata).toEqual({ dataset: "ds_small", sha256: result.sha256, lines: String(lines.length) });
    // Passing sha256 to put makes R2 verify the bytes and keep the checksum.
    expect(head.checksums.toJSON().sha256).toBe(result.sha256);
    expect(result.peakBufferedBytes).toBeLessThan(MIN_PART_BYTES);
  });

  it("writes an empty file (0 bytes) for an empty source", async () => {
    const { bucket: spy, calls } = spyBucket(bucket);
    const key = "tenants/tn_a/datasets/ds_empty/eval.jsonl";
    const result = await writeJsonl(spy, key, fromArray([]));
    expect(result).toMatchObject({ bytes: 0, lines: 0, sha256: EMPTY_SHA256, parts: 0, peakBufferedBytes: 0 });
    expect(calls.puts).toEqual([key]);
    expect((await bucket.head(key))!.size).toBe(0);
  });

  it("accepts a plain iterable and a custom content type", async () => {
    const key = "tenants/tn_a/datasets/ds_sync/train.jsonl";
    const result = await writeJsonl(bucket, key, ['{"a":1}', '{"b":2}'], { contentType: "application/jsonl" });
    expect(new TextDecoder().decode(await stored(key))).toBe('{"a":1}\n{"b":2}\n');
    expect(result).toMatchObject({ bytes: 16, lines: 2 });
    expect((await bucket.head(key))!.httpMetadata?.contentType).toBe("application/jsonl");
  });
});

describe("writeJsonl: multipart", () => {
  it("streams a file larger than one part as equal parts and round-trips it exactly", async () => {
    const { bucket: spy, calls } = spyBucket(bucket);
    const lines = chatLines(12 * MIB);
    const key = "tenants/tn_a/datasets/ds_big/train.jsonl";
    const result = await writeJsonl(spy, key, fromArray(lines), { partBytes: MIN_PART_BYTES });

    const expected = joined(lines);
    expect(calls.puts).toEqual([]);
    expect(calls.creates).toEqual([key]);
    expect(calls.parts.map((p) => p.partNumber)).toEqual([1, 2, 3]);
    expect(calls.parts.map((p) => p.bytes)).toEqual([MIN_PART_BYTES, MIN_PART_BYTES, expected.byteLength - 2 * MIN_PART_BYTES]);
    expect(calls).toMatchObject({ completes: 1, aborts: 0 });
    expect(result).toMatchObject({ bytes: expected.byteLength, lines: lines.length, parts: 3 });
    // The writer never held more than one part.
    expect(result.peakBufferedBytes).toBe(MIN_PART_BYTES);

    const body = await stored(key);
    expect(body.byteLength).toBe(expected.byteLength);
    expect(await sha256Hex(body)).toBe(result.sha256);
    expect(result.sha256).toBe(await sha256Hex(expected));
    expect((await bucket.head(key))!.etag).toBe(result.etag);

    const read: string[] = [];
    for await (const line of readJsonlLines(bucket, key)) read.push(line);
    expect(read).toEqual(lines);
  });

  it("stays a single put at exactly one part and goes multipart one line later", async () => {
    const line = "x".repeat(1023); // 1 KiB with its newline
    const fill = Array.from({ length: MIN_PART_BYTES / 1024 }, () => line);

    const exact = spyBucket(bucket);
    const a = await writeJsonl(exact.bucket, "tenants/tn_a/datasets/ds_edge/train.jsonl", fill, { partBytes: MIN_PART_BYTES });
    expect(a).toMatchObject({ bytes: MIN_PART_BYTES, parts: 0 });
    expect(exact.calls.creates).toEqual([]);

    const over = spyBucket(bucket);
    const key = "tenants/tn_a/datasets/ds_edge/eval.jsonl";
    const b = await writeJsonl(over.bucket, key, [...fill, line], { partBytes: MIN_PART_BYTES });
    expect(b).toMatchObject({ bytes: MIN_PART_BYTES + 1024, parts: 2 });
    expect(over.calls.parts.map((p) => p.bytes)).toEqual([MIN_PART_BYTES, 1024]);
    expect((await bucket.head(key))!.size).toBe(MIN_PART_BYTES + 1024);
  });

  it("refuses a part size below R2's 5 MiB minimum before touching the bucket", async () => {
    const { bucket: spy, calls } = spyBucket(bucket);
    await expect(writeJsonl(spy, "tenants/tn_a/x.jsonl", ["{}"], { partBytes: MIN_PART_BYTES - 1 })).rejects.toThrow(RangeError);
    expect(calls).toMatchObject({ puts: [], creates: [] });
  });
});

describe("writeJsonl: failures leave nothing half-written", () => {
  it("aborts the upload when the line source throws after a part went up", async () => {
    const { bucket: spy, calls } = spyBucket(bucket);
    const lines = chatLines(6 * MIB);
    const boom = new Error("teacher went away");
    const key = "tenants/tn_a/datasets/ds_fail/train.jsonl";
    const write = writeJsonl(spy, key, fromArray(lines, { index: lines.length - 1, error: boom }), { partBytes: MIN_PART_BYTES });

    await expect(write).rejects.toBe(boom);
    expect(calls.parts.map((p) => p.partNumber)).toEqual([1]);
    expect(calls).toMatchObject({ completes: 0, aborts: 1 });
    expect(await bucket.head(key)).toBeNull();
    // The upload is gone: its parts can no longer be completed into an object.
    const { uploadId, parts } = calls.uploads[0]!;
    await expect(bucket.resumeMultipartUpload(key, uploadId).complete(parts)).rejects.toThrow(/does not exist/);
    expect(await bucket.head(key)).toBeNull();
  });

  it("aborts when R2 refuses a part, and keeps the previous file visible", async () => {
    const key = "tenants/tn_a/datasets/ds_keep/train.jsonl";
    const v1 = await writeJsonl(bucket, key, ['{"v":1}']);
    const { bucket: spy, calls } = spyBucket(bucket, { failPart: 2 });

    await expect(writeJsonl(spy, key, chatLines(11 * MIB), { partBytes: MIN_PART_BYTES })).rejects.toThrow("injected");
    expect(calls).toMatchObject({ completes: 0, aborts: 1 });
    const head = (await bucket.head(key))!;
    expect(head.etag).toBe(v1.etag);
    expect(new TextDecoder().decode(await stored(key))).toBe('{"v":1}\n');
  });

  it("writes nothing when the source fails before one part is full", async () => {
    const { bucket: spy, calls } = spyBucket(bucket);
    const key = "tenants/tn_a/datasets/ds_early/train.jsonl";
    await expect(writeJsonl(spy, key, fromArray(['{"a":1}', '{"b":2}'], { index: 1, error: new Error("x") }))).rejects.toThrow("x");
    expect(calls).toMatchObject({ puts: [], creates: [] });
    expect(await bucket.head(key)).toBeNull();
  });

  it.each([
    ["a newline", '{"a":\n1}'],
    ["a carriage return", '{"a":1}\r'],
    ["nothing", ""],
  ])("refuses a line containing %s", async (_what, bad) => {
    const key = "tenants/tn_a/datasets/ds_bad/train.jsonl";
    const error = await writeJsonl(bucket, key, ['{"ok":true}', bad]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: "unprocessable", retryable: false, details: { line: 2 } });
    expect(await bucket.head(key)).toBeNull();
  });

  it("aborts the upload when a bad line arrives after parts went up", async () => {
    const { bucket: spy, calls } = spyBucket(bucket);
    const key = "tenants/tn_a/datasets/ds_bad_late/train.jsonl";
    await expect(writeJsonl(spy, key, [...chatLines(6 * MIB), "two\nlines"], { partBytes: MIN_PART_BYTES })).rejects.toThrow(ApiError);
    expect(calls).toMatchObject({ completes: 0, aborts: 1 });
    expect(await bucket.head(key)).toBeNull();
  });
});

describe("R2's local simulation (what writeJsonl relies on)", () => {
  it("refuses to complete an upload whose non-last parts are under 5 MiB", async () => {
    const key = "tenants/tn_a/platform/small-parts";
    const up = await bucket.createMultipartUpload(key);
    const parts = [await up.uploadPart(1, "a".repeat(1024)), await up.uploadPart(2, "b")];
    // Checked at complete(), not at uploadPart(): small parts upload fine, then fail together.
    await expect(up.complete(parts)).rejects.toThrow(/smaller than the minimum allowed object size/);
    await up.abort();
    expect(await bucket.head(key)).toBeNull();
  });

  it("refuses to complete an upload whose last part is larger than the others", async () => {
    const key = "tenants/tn_a/platform/unequal-parts";
    const up = await bucket.createMultipartUpload(key);
    const parts = [await up.uploadPart(1, new Uint8Array(MIN_PART_BYTES)), await up.uploadPart(2, new Uint8Array(MIN_PART_BYTES + 1))];
    await expect(up.complete(parts)).rejects.toThrow(/problem with the multipart upload/);
    await up.abort();
    expect(await bucket.head(key)).toBeNull();
  });
});
