import { BadRequestError, NotFoundError, toFile } from "openai";
import { describe, expect, it } from "vitest";
import { callEmulator, emulatorClient } from "../helpers/emulator";
import { trainingJsonl } from "./fixtures";

const client = emulatorClient();
const bodyText = async (res: Response) => new TextDecoder().decode(await res.arrayBuffer());

/** A multipart body sent as a stream of small pieces with no content-length, like a streaming client. */
function streamedMultipart(fields: Record<string, string>, file: { name: string; content: string }): { body: ReadableStream<Uint8Array>; type: string } {
  const boundary = `----emulator${crypto.randomUUID()}`;
  let text = "";
  for (const [k, v] of Object.entries(fields)) text += `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
  text += `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: application/jsonl\r\n\r\n${file.content}\r\n--${boundary}--\r\n`;
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + 4096));
      at += 4096;
    },
  });
  return { body, type: `multipart/form-data; boundary=${boundary}` };
}

describe("emulator: files", () => {
  it("uploads with the SDK, then retrieves, lists, downloads and deletes", async () => {
    const jsonl = trainingJsonl();
    const file = await client.files.create({ file: await toFile(new TextEncoder().encode(jsonl), "train.jsonl"), purpose: "fine-tune" });
    expect(file).toMatchObject({ object: "file", filename: "train.jsonl", purpose: "fine-tune", status: "processed", bytes: new TextEncoder().encode(jsonl).length });
    expect(file.id).toMatch(/^file-/);
    expect(typeof file.created_at).toBe("number");

    expect(await client.files.retrieve(file.id)).toMatchObject({ id: file.id, filename: "train.jsonl" });
    const listed: string[] = [];
    for await (const f of client.files.list({ purpose: "fine-tune" })) listed.push(f.id);
    expect(listed).toContain(file.id);
    const other: string[] = [];
    for await (const f of client.files.list({ purpose: "assistants" })) other.push(f.id);
    expect(other).not.toContain(file.id);

    expect(await bodyText(await client.files.content(file.id))).toBe(jsonl);
    expect(await client.files.delete(file.id)).toEqual({ id: file.id, object: "file", deleted: true });
    const gone = await client.files.retrieve(file.id).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(NotFoundError);
  });

  it("stores contents larger than a SQLite row in chunks", async () => {
    const line = JSON.stringify({ messages: [{ role: "user", content: "x".repeat(1000) }, { role: "assistant", content: "y" }] });
    const big = Array.from({ length: 3000 }, () => line).join("\n");
    expect(big.length).toBeGreaterThan(3_000_000);
    const file = await client.files.create({ file: await toFile(new TextEncoder().encode(big), "big.jsonl"), purpose: "fine-tune" });
    expect(file.bytes).toBe(big.length);
    const back = await bodyText(await client.files.content(file.id));
    expect(back.length).toBe(big.length);
    expect(back === big).toBe(true);
  });

  it("accepts a plain streamed multipart upload", async () => {
    const { body, type } = streamedMultipart({ purpose: "fine-tune" }, { name: "streamed.jsonl", content: trainingJsonl(12) });
    const res = await callEmulator("/v1/files", { method: "POST", headers: { Authorization: "Bearer x", "content-type": type }, body });
    expect(res.status).toBe(200);
    const file = (await res.json()) as { id: string; filename: string };
    expect(file.filename).toBe("streamed.jsonl");
    expect(await bodyText(await client.files.content(file.id))).toBe(trainingJsonl(12));
  });

  it("rejects a fine-tune file that is not .jsonl and an unknown purpose", async () => {
    const notJsonl = await client.files.create({ file: await toFile(new TextEncoder().encode("{}"), "train.json"), purpose: "fine-tune" }).catch((e: unknown) => e);
    expect(notJsonl).toBeInstanceOf(BadRequestError);
    const purpose = await client.files
      .create({ file: await toFile(new TextEncoder().encode("{}"), "a.jsonl"), purpose: "nonsense" as "fine-tune" })
      .catch((e: unknown) => e);
    expect(purpose).toBeInstanceOf(BadRequestError);
    expect((purpose as BadRequestError).param).toBe("purpose");
  });
});
