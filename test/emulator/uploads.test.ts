import OpenAI, { toFile } from "openai";
import { describe, expect, it } from "vitest";
import { advanceClock, configureRun, emulatorClient, runStats, uniqueRun } from "../helpers/emulator";
import { trainingJsonl } from "./fixtures";

const encoder = new TextEncoder();

/** Splits bytes in two at a line boundary-agnostic midpoint (parts need not end on lines). */
function halves(data: Uint8Array): [Uint8Array, Uint8Array] {
  const mid = Math.floor(data.byteLength / 2);
  return [data.slice(0, mid), data.slice(mid)];
}

async function setup() {
  const run = uniqueRun("uploads");
  await configureRun(run, { clock: { speed: 0 } });
  return { run, client: emulatorClient(run) };
}

describe("emulator: OpenAI uploads", () => {
  it("joins parts in the order given at completion into a file fine-tuning can use", async () => {
    const { run, client } = await setup();
    const data = encoder.encode(trainingJsonl());
    const [first, second] = halves(data);
    const upload = await client.uploads.create({ bytes: data.byteLength, filename: "train.jsonl", mime_type: "text/jsonl", purpose: "fine-tune" });
    expect(upload).toMatchObject({ object: "upload", bytes: data.byteLength, filename: "train.jsonl", purpose: "fine-tune", status: "pending", file: null });
    expect(upload.id).toMatch(/^upload_/);
    expect(upload.expires_at).toBe(upload.created_at + 3600);

    // Parts may arrive in any order; completion names the order.
    const p2 = await client.uploads.parts.create(upload.id, { data: await toFile(second, "part") });
    const p1 = await client.uploads.parts.create(upload.id, { data: await toFile(first, "part") });
    expect(p1).toMatchObject({ object: "upload.part", upload_id: upload.id, created_at: expect.any(Number) });
    expect(p1.id).toMatch(/^part_/);

    const done = await client.uploads.complete(upload.id, { part_ids: [p1.id, p2.id] });
    expect(done.status).toBe("completed");
    expect(done.file).toMatchObject({ object: "file", bytes: data.byteLength, filename: "train.jsonl", purpose: "fine-tune" });
    const fileId = done.file!.id;
    const content = new Uint8Array(await (await client.files.content(fileId)).arrayBuffer());
    expect(new TextDecoder().decode(content)).toBe(trainingJsonl());
    expect((await client.files.retrieve(fileId)).id).toBe(fileId);

    const job = await client.fineTuning.jobs.create({ model: "gpt-4o-mini-2024-07-18", training_file: fileId });
    await advanceClock(run, 600_000);
    expect((await client.fineTuning.jobs.retrieve(job.id)).status).toBe("succeeded");

    // A completed upload takes no more parts.
    await expect(client.uploads.parts.create(upload.id, { data: await toFile(first, "part") })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    const stats = await runStats(run);
    expect(stats.requests).toMatchObject({ "POST /v1/uploads": 1, "POST /v1/uploads/:id/parts": 3, "POST /v1/uploads/:id/complete": 1 });
  });

  it("refuses to complete when the bytes differ from those declared, or the md5 does not match", async () => {
    const { client } = await setup();
    const data = encoder.encode(trainingJsonl());
    const upload = await client.uploads.create({ bytes: data.byteLength, filename: "train.jsonl", mime_type: "text/jsonl", purpose: "fine-tune" });
    const [first, second] = halves(data);
    const p1 = await client.uploads.parts.create(upload.id, { data: await toFile(first, "part") });
    const short = await client.uploads.complete(upload.id, { part_ids: [p1.id] }).catch((e: unknown) => e);
    expect(short).toBeInstanceOf(OpenAI.BadRequestError);
    expect((short as InstanceType<typeof OpenAI.BadRequestError>).message).toContain("does not match the number of bytes");
    const p2 = await client.uploads.parts.create(upload.id, { data: await toFile(second, "part") });
    const badMd5 = await client.uploads.complete(upload.id, { part_ids: [p1.id, p2.id], md5: "0".repeat(32) }).catch((e: unknown) => e);
    expect(badMd5).toBeInstanceOf(OpenAI.BadRequestError);
    // Still pending: the right order completes it.
    expect((await client.uploads.complete(upload.id, { part_ids: [p1.id, p2.id] })).status).toBe("completed");
  });

  it("cancels a pending upload, after which it takes no parts and cannot complete", async () => {
    const { client } = await setup();
    const upload = await client.uploads.create({ bytes: 10, filename: "x.jsonl", mime_type: "text/jsonl", purpose: "fine-tune" });
    const cancelled = await client.uploads.cancel(upload.id);
    expect(cancelled).toMatchObject({ id: upload.id, status: "cancelled", file: null });
    await expect(client.uploads.parts.create(upload.id, { data: await toFile(encoder.encode("0123456789"), "part") })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(client.uploads.complete(upload.id, { part_ids: [] })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
  });

  it("answers OpenAI's errors for bad requests and unknown uploads", async () => {
    const { client } = await setup();
    await expect(client.uploads.create({ bytes: 10, filename: "train.txt", mime_type: "text/plain", purpose: "fine-tune" })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(client.uploads.create({ bytes: 9 * 1024 ** 3, filename: "big.jsonl", mime_type: "text/jsonl", purpose: "fine-tune" })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(client.uploads.complete("upload_missing", { part_ids: [] })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const upload = await client.uploads.create({ bytes: 4, filename: "x.jsonl", mime_type: "text/jsonl", purpose: "fine-tune" });
    await expect(client.uploads.parts.create(upload.id, { data: await toFile(encoder.encode("too long"), "part") })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
  });
});
