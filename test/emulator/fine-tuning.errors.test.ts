import { BadRequestError, toFile } from "openai";
import { describe, expect, it } from "vitest";
import { advanceClock, configureRun, emulatorClient, failJob, uniqueRun, validateFile } from "../helpers/emulator";
import { trainingJsonl } from "./fixtures";

const BASE = "gpt-4.1-nano-2025-04-14";

async function setup(config: Parameters<typeof configureRun>[1] = {}) {
  const run = uniqueRun("fterr");
  await configureRun(run, { clock: { speed: 0 }, ...config });
  const client = emulatorClient(run);
  const upload = async (content: string, purpose: "fine-tune" | "assistants" = "fine-tune") =>
    client.files.create({ file: await toFile(new TextEncoder().encode(content), "data.jsonl"), purpose });
  return { run, client, upload };
}

const lines = trainingJsonl(12).split("\n");

describe("emulator: fine-tuning errors", () => {
  it("fails an invalid training file after validation, naming the line", async () => {
    const { run, client, upload } = await setup();
    const broken = [...lines];
    broken[2] = JSON.stringify({ messages: [{ role: "user", content: "no answer here" }] });
    broken[4] = "{not json";
    const file = await upload(broken.join("\n"));
    const check = await validateFile(file.id);
    expect(check.valid).toBe(false);
    expect(check.errors.map((e) => e.line)).toEqual([3, 5]);
    expect(check.errors[0]!.message).toMatch(/Line 3.*assistant/);

    const job = await client.fineTuning.jobs.create({ model: BASE, training_file: file.id });
    expect(job.status).toBe("validating_files");
    await advanceClock(run, 60_000);
    const failed = await client.fineTuning.jobs.retrieve(job.id);
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatchObject({ code: "invalid_training_file", param: "training_file", message: expect.stringMatching(/Line 3/) });
    expect(failed.fine_tuned_model).toBeNull();
    const events = await client.fineTuning.jobs.listEvents(job.id);
    expect(events.data[0]).toMatchObject({ level: "error", message: expect.stringMatching(/Line 3/) });
  });

  it("accepts tools, tool_calls and tool messages, and rejects fewer than 10 examples", async () => {
    const { upload } = await setup();
    const withTools = JSON.stringify({
      tools: [{ type: "function", function: { name: "lookup", parameters: { type: "object", properties: { q: { type: "string" } } } } }],
      messages: [
        { role: "user", content: "Look up X" },
        { role: "assistant", tool_calls: [{ id: "call_1", type: "function", function: { name: "lookup", arguments: '{"q":"X"}' } }] },
        { role: "tool", tool_call_id: "call_1", content: "X is 1" },
        { role: "assistant", content: "X is 1.", weight: 1 },
      ],
    });
    const ok = await validateFile((await upload([...lines.slice(0, 9), withTools].join("\n"))).id);
    expect(ok).toMatchObject({ valid: true, examples: 10, errors: [] });
    const few = await validateFile((await upload(lines.slice(0, 4).join("\n"))).id);
    expect(few.valid).toBe(false);
    expect(few.errors[0]).toEqual({ line: null, message: expect.stringMatching(/at least 10 examples/) });
    const badRole = await validateFile((await upload([JSON.stringify({ messages: [{ role: "robot", content: "x" }] }), ...lines].join("\n"))).id);
    expect(badRole.errors[0]).toMatchObject({ line: 1, message: expect.stringMatching(/role/) });
  });

  it("rejects synchronously: unknown file, wrong purpose, model not fine-tunable, long suffix, too much metadata", async () => {
    const { client, upload } = await setup();
    const good = await upload(trainingJsonl());
    const expect400 = async (p: Promise<unknown>, param: string) => {
      const err = await p.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BadRequestError);
      expect((err as BadRequestError).param).toBe(param);
    };
    await expect400(client.fineTuning.jobs.create({ model: BASE, training_file: "file-doesnotexist" }), "training_file");
    const assistants = await upload(trainingJsonl(), "assistants");
    await expect400(client.fineTuning.jobs.create({ model: BASE, training_file: assistants.id }), "training_file");
    await expect400(client.fineTuning.jobs.create({ model: "meta-llama/Llama-3.2-3B-Instruct", training_file: good.id }), "model");
    await expect400(client.fineTuning.jobs.create({ model: "text-embedding-3-small", training_file: good.id }), "model");
    await expect400(client.fineTuning.jobs.create({ model: BASE, training_file: good.id, suffix: "x".repeat(65) }), "suffix");
    const metadata = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, "v"]));
    await expect400(client.fineTuning.jobs.create({ model: BASE, training_file: good.id, metadata }), "metadata");
  });

  it("cancels a running job, and answers 400 when cancelling a finished one", async () => {
    const { run, client, upload } = await setup();
    const file = await upload(trainingJsonl());
    const job = await client.fineTuning.jobs.create({ model: BASE, training_file: file.id });
    await advanceClock(run, 200_000);
    const cancelled = await client.fineTuning.jobs.cancel(job.id);
    expect(cancelled.status).toBe("cancelled");
    expect(cancelled.finished_at).not.toBeNull();
    await advanceClock(run, 3_600_000);
    expect((await client.fineTuning.jobs.retrieve(job.id)).status).toBe("cancelled");
    const again = await client.fineTuning.jobs.cancel(job.id).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(BadRequestError);

    const other = await client.fineTuning.jobs.create({ model: BASE, training_file: file.id });
    await advanceClock(run, 600_000);
    const late = await client.fineTuning.jobs.cancel(other.id).catch((e: unknown) => e);
    expect(late).toBeInstanceOf(BadRequestError);
  });

  it("fails jobs while running when the run says so, or on demand", async () => {
    const { run, client, upload } = await setup({ fine_tuning: { fail: "Simulated GPU failure" } });
    const file = await upload(trainingJsonl());
    const job = await client.fineTuning.jobs.create({ model: BASE, training_file: file.id });
    await advanceClock(run, 150_000);
    expect((await client.fineTuning.jobs.retrieve(job.id)).status).toBe("running");
    await advanceClock(run, 600_000);
    const failed = await client.fineTuning.jobs.retrieve(job.id);
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatchObject({ message: "Simulated GPU failure" });

    await configureRun(run, { clock: { speed: 0 } });
    const forced = await client.fineTuning.jobs.create({ model: BASE, training_file: file.id });
    await failJob(forced.id, "Operator pulled the plug");
    const read = await client.fineTuning.jobs.retrieve(forced.id);
    expect(read).toMatchObject({ status: "failed", error: { message: "Operator pulled the plug" } });
  });
});
