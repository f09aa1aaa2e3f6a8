import { toFile } from "openai";
import { describe, expect, it } from "vitest";
import { advanceClock, configureRun, emulatorClient, failJob, holdJob, uniqueRun, validateFile } from "../helpers/emulator";
import { trainingJsonl } from "./fixtures";

const BASE = "gpt-4o-mini-2024-07-18";

/** A run whose clock moves only when advanced (speed 0), so phase boundaries are exact. */
async function setup(config: Parameters<typeof configureRun>[1] = {}) {
  const run = uniqueRun("ft");
  await configureRun(run, { clock: { speed: 0 }, ...config });
  const client = emulatorClient(run);
  const file = await client.files.create({ file: await toFile(new TextEncoder().encode(trainingJsonl()), "train.jsonl"), purpose: "fine-tune" });
  return { run, client, file };
}

describe("emulator: fine-tuning lifecycle", () => {
  it("moves validating_files → queued → running → succeeded on the run's emulated clock", async () => {
    const { run, client, file } = await setup();
    const job = await client.fineTuning.jobs.create({
      model: BASE,
      training_file: file.id,
      suffix: "support-bot",
      seed: 42,
      metadata: { team: "docs" },
      method: { type: "supervised", supervised: { hyperparameters: { n_epochs: "auto", batch_size: "auto", learning_rate_multiplier: "auto" } } },
    });
    expect(job).toMatchObject({
      object: "fine_tuning.job",
      model: BASE,
      status: "validating_files",
      training_file: file.id,
      validation_file: null,
      fine_tuned_model: null,
      finished_at: null,
      trained_tokens: null,
      result_files: [],
      error: null,
      user_provided_suffix: "support-bot",
      seed: 42,
      metadata: { team: "docs" },
      organization_id: expect.stringMatching(/^org-/),
      integrations: [],
    });
    expect(job.id).toMatch(/^ftjob-/);
    // 10 examples: OpenAI's "auto" trains tiny sets for more epochs (100 / 10).
    expect(job.hyperparameters).toEqual({ n_epochs: 10, batch_size: 1, learning_rate_multiplier: 1.8 });
    expect(job.method).toEqual({ type: "supervised", supervised: { hyperparameters: job.hyperparameters } });
    expect(job.estimated_finish).toBeGreaterThan(job.created_at);

    await advanceClock(run, 60_000);
    expect((await client.fineTuning.jobs.retrieve(job.id)).status).toBe("queued");
    await advanceClock(run, 60_000);
    expect((await client.fineTuning.jobs.retrieve(job.id)).status).toBe("running");
    await advanceClock(run, 240_000);
    const halfway = await client.fineTuning.jobs.retrieve(job.id);
    expect(halfway.status).toBe("running");
    await advanceClock(run, 240_000);
    const done = await client.fineTuning.jobs.retrieve(job.id);
    expect(done.status).toBe("succeeded");
    expect(done.fine_tuned_model).toMatch(/^ft:gpt-4o-mini-2024-07-18:distillery-emulator:support-bot:[A-Za-z0-9]{8}$/);
    expect(done.finished_at).toBe(job.created_at + 600);
    expect(done.estimated_finish).toBeNull();
    const validation = await validateFile(file.id);
    expect(done.trained_tokens).toBe(validation.tokens * 10);

    // The results file exists and is a CSV of step metrics.
    expect(done.result_files).toHaveLength(1);
    const results = await client.files.retrieve(done.result_files[0]!);
    expect(results).toMatchObject({ purpose: "fine-tune-results", filename: "step_metrics.csv" });
    const csv = new TextDecoder().decode(await (await client.files.content(results.id)).arrayBuffer());
    expect(csv.split("\n")[0]).toBe("step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy");
    expect(csv.trim().split("\n")).toHaveLength(101);

    // The fine-tuned model is served and listed, with its base's capabilities.
    const model = done.fine_tuned_model!;
    expect((await client.models.retrieve(model)).owned_by).toMatch(/^org-/);
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toContain(model);
    const chat = await client.chat.completions.create({
      model,
      messages: [{ role: "user", content: "Fact 3 is that the sky is blue. What is fact 3?" }],
      tools: [{ type: "function", function: { name: "answer", parameters: { type: "object", properties: { text: { type: "string" } }, required: ["text"] } } }],
    });
    expect(chat.model).toBe(model);
    expect(chat.choices[0]!.message.tool_calls).toHaveLength(1);
  });

  it("emits OpenAI-like events, newest first, with cursor paging", async () => {
    const { run, client, file } = await setup({ fine_tuning: { durations_ms: { validating: 1000, queued: 1000, running: 10_000 } } });
    const job = await client.fineTuning.jobs.create({ model: BASE, training_file: file.id, hyperparameters: { n_epochs: 2, batch_size: 2 } });
    await advanceClock(run, 12_000);
    const events: Array<{ message: string; type?: string; level: string; created_at: number; data?: unknown }> = [];
    const first = await client.fineTuning.jobs.listEvents(job.id, { limit: 5 });
    expect(first.data).toHaveLength(5);
    expect(first.has_more).toBe(true);
    for await (const e of client.fineTuning.jobs.listEvents(job.id, { limit: 5 })) events.push(e);
    const messages = events.map((e) => e.message).reverse();
    expect(messages[0]).toBe(`Created fine-tuning job: ${job.id}`);
    expect(messages).toContain(`Validating training file: ${file.id}`);
    expect(messages).toContain("Files validated, moving job to queued state");
    expect(messages).toContain("Fine-tuning job started");
    expect(messages.some((m) => /^Step 1\/10: training loss=\d+\.\d{2}$/.test(m))).toBe(true);
    expect(messages).toContain("Step 10/10: training loss=" + messages.find((m) => m.startsWith("Step 10/10"))!.split("=")[1]);
    expect(messages.some((m) => m.startsWith("Checkpoint created at step 5"))).toBe(true);
    expect(messages.some((m) => m.startsWith("New fine-tuned model created"))).toBe(true);
    expect(messages[messages.length - 1]).toBe("The job has successfully completed");
    const metrics = events.find((e) => e.type === "metrics")!;
    expect(metrics.data).toMatchObject({ step: expect.any(Number), train_loss: expect.any(Number), total_steps: 10 });
    const times = events.map((e) => e.created_at);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it("lists checkpoints at the end of the last epochs, usable as models", async () => {
    const { run, client, file } = await setup();
    const job = await client.fineTuning.jobs.create({ model: BASE, training_file: file.id, hyperparameters: { n_epochs: 4, batch_size: 5 } });
    await advanceClock(run, 600_000);
    const page = await client.fineTuning.jobs.checkpoints.list(job.id);
    expect(page.data.map((c) => c.step_number)).toEqual([8, 6, 4]);
    const ckpt = page.data[1]!;
    expect(ckpt).toMatchObject({ object: "fine_tuning.job.checkpoint", fine_tuning_job_id: job.id, metrics: { step: 6, train_loss: expect.any(Number) } });
    expect(ckpt.id).toMatch(/^ftckpt_/);
    expect(ckpt.fine_tuned_model_checkpoint).toMatch(/^ft:gpt-4o-mini-2024-07-18:distillery-emulator::[A-Za-z0-9]{8}:ckpt-step-6$/);
    const chat = await client.chat.completions.create({ model: ckpt.fine_tuned_model_checkpoint, messages: [{ role: "user", content: "hello there, how are you today?" }] });
    expect(chat.model).toBe(ckpt.fine_tuned_model_checkpoint);
  });

  it("lists jobs newest first with cursor paging and a metadata filter", async () => {
    const { client, file } = await setup();
    const tag = crypto.randomUUID();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await client.fineTuning.jobs.create({ model: BASE, training_file: file.id, metadata: { suite: tag, i: String(i) } })).id);
    const page = await client.fineTuning.jobs.list({ limit: 2, metadata: { suite: tag } });
    expect(page.data.map((j) => j.id)).toEqual([ids[2], ids[1]]);
    expect(page.has_more).toBe(true);
    const next = await page.getNextPage();
    expect(next.data.map((j) => j.id)).toEqual([ids[0]]);
    expect(next.has_more).toBe(false);
    const one = await client.fineTuning.jobs.list({ metadata: { suite: tag, i: "1" } });
    expect(one.data.map((j) => j.id)).toEqual([ids[1]]);
  });

  it("holds a job in running until released, then resumes where it stood", async () => {
    const { run, client, file } = await setup({ fine_tuning: { hold_running: true } });
    const job = await client.fineTuning.jobs.create({ model: BASE, training_file: file.id });
    await advanceClock(run, 3_600_000);
    expect((await client.fineTuning.jobs.retrieve(job.id)).status).toBe("running");
    await holdJob(job.id, false);
    await advanceClock(run, 479_000);
    expect((await client.fineTuning.jobs.retrieve(job.id)).status).toBe("running");
    await advanceClock(run, 1_000);
    expect((await client.fineTuning.jobs.retrieve(job.id)).status).toBe("succeeded");

    const other = await client.fineTuning.jobs.create({ model: BASE, training_file: file.id });
    await holdJob(other.id, false);
    await advanceClock(run, 300_000);
    await holdJob(other.id, true);
    await advanceClock(run, 3_600_000);
    expect((await client.fineTuning.jobs.retrieve(other.id)).status).toBe("running");
  });
});
