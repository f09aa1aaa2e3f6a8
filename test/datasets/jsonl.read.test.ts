import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Bindings } from "../../src/env";
import { ApiError } from "../../src/errors";
import { datasetFileKey, isJsonlSplit, jsonlResponse, readJsonlLines, writeJsonl } from "../../src/datasets/jsonl";

const bucket = (env as Bindings).DATA;

async function collect(key: string): Promise<string[]> {
  const out: string[] = [];
  for await (const line of readJsonlLines(bucket, key)) out.push(line);
  return out;
}

describe("readJsonlLines", () => {
  it("yields each line without its newline, multi-byte characters intact", async () => {
    const lines = ['{"q":"héllo"}', '{"q":"日本語"}', '{"q":"🙂"}'];
    await writeJsonl(bucket, "tenants/tn_r/datasets/ds_1/train.jsonl", lines);
    expect(await collect("tenants/tn_r/datasets/ds_1/train.jsonl")).toEqual(lines);
  });

  it("yields a last line that has no newline, and blank lines as empty strings", async () => {
    await bucket.put("tenants/tn_r/raw/a.jsonl", '{"a":1}\n\n{"b":2}');
    expect(await collect("tenants/tn_r/raw/a.jsonl")).toEqual(['{"a":1}', "", '{"b":2}']);
  });

  it("yields nothing for an empty file", async () => {
    await writeJsonl(bucket, "tenants/tn_r/datasets/ds_empty/eval.jsonl", []);
    expect(await collect("tenants/tn_r/datasets/ds_empty/eval.jsonl")).toEqual([]);
  });

  it("answers not_found for a missing file", async () => {
    const error = await collect("tenants/tn_r/missing.jsonl").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: "not_found" });
  });

  it("refuses bytes that are not UTF-8", async () => {
    await bucket.put("tenants/tn_r/raw/bad.jsonl", new Uint8Array([0x7b, 0xff, 0x7d, 0x0a]));
    await expect(collect("tenants/tn_r/raw/bad.jsonl")).rejects.toThrow(TypeError);
  });

  it("releases the object when the reader stops early", async () => {
    const lines = Array.from({ length: 5_000 }, (_, i) => JSON.stringify({ i, pad: "p".repeat(100) }));
    await writeJsonl(bucket, "tenants/tn_r/datasets/ds_2/train.jsonl", lines);
    for await (const line of readJsonlLines(bucket, "tenants/tn_r/datasets/ds_2/train.jsonl")) {
      expect(line).toBe(lines[0]);
      break;
    }
    expect((await collect("tenants/tn_r/datasets/ds_2/train.jsonl")).length).toBe(5_000);
  });
});

describe("jsonlResponse", () => {
  it("streams the file as an attachment with length, etag and SHA-256", async () => {
    const key = "tenants/tn_r/datasets/ds_3/train.jsonl";
    const written = await writeJsonl(bucket, key, ['{"a":1}', '{"b":"é"}']);
    const object = (await bucket.get(key))!;
    const res = jsonlResponse(object, "train.jsonl");

    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/x-ndjson");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="train.jsonl"; filename*=UTF-8''train.jsonl`);
    expect(res.headers.get("content-length")).toBe(String(written.bytes));
    expect(res.headers.get("etag")).toBe(`"${written.etag}"`);
    expect(res.headers.get("x-content-sha256")).toBe(written.sha256);
    expect(res.headers.get("cache-control")).toBe("private, no-store");
    expect(await res.text()).toBe('{"a":1}\n{"b":"é"}\n');
  });

  it("takes the SHA-256 from the caller when the object carries none (multipart files)", async () => {
    const key = "tenants/tn_r/raw/plain.jsonl";
    await bucket.put(key, '{"a":1}\n');
    expect(jsonlResponse((await bucket.get(key))!, "x.jsonl").headers.has("x-content-sha256")).toBe(false);
    const res = jsonlResponse((await bucket.get(key))!, "x.jsonl", { sha256: "ab".repeat(32) });
    expect(res.headers.get("x-content-sha256")).toBe("ab".repeat(32));
    await res.body?.cancel();
  });

  it("keeps quotes, line breaks and non-ASCII out of the filename header", async () => {
    const key = "tenants/tn_r/raw/name.jsonl";
    await bucket.put(key, "{}\n");
    const res = jsonlResponse((await bucket.get(key))!, 'évals "v2"\r\nX-Evil: 1.jsonl');
    expect(res.headers.get("content-disposition")).toBe(
      `attachment; filename="_vals _v2___X-Evil: 1.jsonl"; filename*=UTF-8''%C3%A9vals%20%22v2%22%0D%0AX-Evil%3A%201.jsonl`,
    );
    expect(res.headers.has("x-evil")).toBe(false);
    await res.body?.cancel();
  });
});

describe("datasetFileKey", () => {
  it("puts every split under the tenant's prefix", () => {
    expect(datasetFileKey("tn_abc", "ds_x-Y_1", "train")).toBe("tenants/tn_abc/datasets/ds_x-Y_1/train.jsonl");
    expect(datasetFileKey("tn_abc", "ds_1", "eval")).toBe("tenants/tn_abc/datasets/ds_1/eval.jsonl");
  });

  it.each([
    ["tn_a/../tn_b", "ds_1"],
    ["tn_a", "../ds_1"],
    ["tn_a", "ds/1"],
    ["", "ds_1"],
    ["tn_a", ".."],
  ])("refuses ids that could leave the tenant's prefix (%s, %s)", (tenant, dataset) => {
    expect(() => datasetFileKey(tenant, dataset, "train")).toThrow(ApiError);
  });

  it("refuses unknown splits", () => {
    expect(isJsonlSplit("train")).toBe(true);
    expect(isJsonlSplit("test")).toBe(false);
    expect(() => datasetFileKey("tn_a", "ds_1", "test" as "train")).toThrow(ApiError);
  });
});
