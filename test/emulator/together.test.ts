import { describe, expect, it } from "vitest";
import { advanceClock, callEmulator, configureRun, failJob, holdJob, listEmulatorJobs, providerCall, runStats, uniqueRun } from "../helpers/emulator";
import { trainingJsonl } from "./fixtures";

const BASE = "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference";
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

interface TogetherJob {
  id: string;
  status: string;
  model_output_name: string;
  output_name: string;
  created_at: string;
  updated_at: string;
  events: Array<{ type: string; message: string; level: string; created_at: string; step: number }>;
  [key: string]: unknown;
}

async function body<T>(res: Response, status = 200): Promise<T> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  return JSON.parse(text) as T;
}

/** A run whose clock moves only when advanced, with a training file uploaded the Together way. */
async function setup(config: Parameters<typeof configureRun>[1] = {}, jsonl = trainingJsonl()) {
  const run = uniqueRun("together");
  await configureRun(run, { clock: { speed: 0 }, ...config });
  const form = new FormData();
  form.append("file", new File([jsonl], "train.jsonl"));
  form.append("file_name", "train.jsonl");
  form.append("purpose", "fine-tune");
  form.append("file_type", "jsonl");
  const file = await body<{ id: string }>(await providerCall(run, "POST", "/together/v1/files/upload", form));
  const call = (method: string, path: string, payload?: unknown) => providerCall(run, method, `/together/v1${path}`, payload);
  const create = async (extra: Record<string, unknown> = {}) => body<TogetherJob>(await call("POST", "/fine-tunes", { training_file: file.id, model: BASE, ...extra }));
  const get = async (id: string) => body<TogetherJob>(await call("GET", `/fine-tunes/${id}`));
  return { run, file, call, create, get };
}

describe("emulator: Together files", () => {
  it("uploads, lists, retrieves and deletes a JSONL file in Together's shape", async () => {
    const { file, call } = await setup();
    const got = await body<Record<string, unknown>>(await call("GET", `/files/${file.id}`));
    expect(got).toEqual({
      id: expect.stringMatching(/^file-[0-9a-f-]{36}$/),
      object: "file",
      created_at: expect.any(Number),
      filename: "train.jsonl",
      bytes: new TextEncoder().encode(trainingJsonl()).byteLength,
      purpose: "fine-tune",
      FileType: "jsonl",
      LineCount: 10,
      Processed: true,
    });
    const list = await body<{ data: Array<{ id: string }> }>(await call("GET", "/files"));
    expect(list.data.map((f) => f.id)).toContain(file.id);
    // Together's files are not OpenAI's.
    expect((await providerCall("x", "GET", `/v1/files/${file.id}`)).status).toBe(404);
    expect(await body(await call("DELETE", `/files/${file.id}`))).toEqual({ id: file.id, deleted: true });
    expect((await call("GET", `/files/${file.id}`)).status).toBe(404);
  });

  it("rejects an upload without file_name or with an unknown purpose", async () => {
    const run = uniqueRun("together");
    const form = new FormData();
    form.append("file", new File(["{}"], "x.jsonl"));
    form.append("purpose", "fine-tune");
    const missing = await body<{ error: { message: string; param: string } }>(await providerCall(run, "POST", "/together/v1/files/upload", form), 400);
    expect(missing.error).toMatchObject({ param: "file_name", message: expect.stringContaining("file_name") });
    form.append("file_name", "x.jsonl");
    form.set("purpose", "assistants");
    expect((await providerCall(run, "POST", "/together/v1/files/upload", form)).status).toBe(400);
  });
});

describe("emulator: Together fine-tunes", () => {
  it("moves pending → queued → running → compressing → uploading → completed on the run's clock", async () => {
    const { run, file, call, create, get } = await setup();
    const job = await create({ suffix: "support-bot", n_epochs: 2, batch_size: 8, learning_rate: 0.0002 });
    expect(job).toMatchObject({
      status: "pending",
      model: BASE,
      training_file: file.id,
      validation_file: "",
      suffix: "support-bot",
      n_epochs: 2,
      n_checkpoints: 1,
      batch_size: 8,
      learning_rate: 0.0002,
      training_type: { type: "Lora", lora_r: 8, lora_alpha: 16, lora_dropout: 0, lora_trainable_modules: "all-linear" },
      training_method: { method: "sft", train_on_inputs: "auto" },
      token_count: 0,
      events: [],
    });
    expect(job.id).toMatch(/^ft-[0-9a-f-]{36}$/);
    expect(job.created_at).toMatch(ISO);
    expect(job.model_output_name).toMatch(/^distillery-emulator\/Meta-Llama-3\.1-8B-Instruct-Reference-support-bot-[0-9a-f]{8}$/);
    expect(job.output_name).toBe(job.model_output_name);

    await advanceClock(run, 60_000);
    const queued = await get(job.id);
    expect(queued.status).toBe("queued");
    expect(queued.token_count).toBeGreaterThan(0);
    await advanceClock(run, 60_000);
    expect((await get(job.id)).status).toBe("running");
    await advanceClock(run, 455_000);
    expect((await get(job.id)).status).toBe("running");
    await advanceClock(run, 1_000);
    expect((await get(job.id)).status).toBe("compressing");
    await advanceClock(run, 12_000);
    expect((await get(job.id)).status).toBe("uploading");
    await advanceClock(run, 12_000);
    const done = await get(job.id);
    expect(done.status).toBe("completed");
    expect(done.trained_tokens).toBe((done.token_count as number) * 2);
    expect(done.epochs_completed).toBe(2);

    const { data: events } = await body<{ data: TogetherJob["events"] }>(await call("GET", `/fine-tunes/${job.id}/events`));
    expect(events.map((e) => e.type)).toEqual([
      "job_pending",
      "job_start",
      "model_download_complete",
      "training_data_download_complete",
      "training_start",
      "epoch_complete",
      "epoch_complete",
      "checkpoint_save",
      "training_complete",
      "model_compressing",
      "model_compression_complete",
      "model_uploading",
      "model_upload_complete",
      "job_complete",
    ]);
    expect(events[0]).toMatchObject({ object: "fine-tune-event", level: "info", created_at: expect.stringMatching(ISO) });
    expect(events.find((e) => e.type === "epoch_complete")?.step).toBe(2);
    const times = events.map((e) => Date.parse(e.created_at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(done.events).toEqual(events);

    // The output model needs a deployment: it is not served for inference.
    expect((await call("GET", `/models/${done.model_output_name}`)).status).toBe(404);
    const listed = await body<{ data: Array<{ id: string }> }>(await call("GET", "/fine-tunes"));
    expect(listed.data.find((j) => j.id === job.id)).toMatchObject({ status: "completed", events: [] });
  });

  it("reads user_error when the training file is not valid chat JSONL", async () => {
    const { run, create, get } = await setup({}, '{"messages": [{"role": "user", "content": "hi"}]}\n');
    const job = await create();
    await advanceClock(run, 59_999);
    expect((await get(job.id)).status).toBe("pending");
    await advanceClock(run, 1);
    const failed = await get(job.id);
    expect(failed.status).toBe("user_error");
    expect(failed.events.at(-1)).toMatchObject({ type: "job_error", level: "error", message: expect.stringContaining("Line 1") });
  });

  it("cancels: cancel_requested at once, cancelled shortly after; a finished job cannot be cancelled", async () => {
    const { run, call, create, get } = await setup();
    const job = await create();
    await advanceClock(run, 130_000);
    const cancelling = await body<TogetherJob>(await call("POST", `/fine-tunes/${job.id}/cancel`));
    expect(cancelling.status).toBe("cancel_requested");
    await advanceClock(run, 5_000);
    const cancelled = await get(job.id);
    expect(cancelled.status).toBe("cancelled");
    expect(cancelled.events.slice(-2).map((e) => e.type)).toEqual(["cancel_requested", "job_stopped"]);
    const again = await body<{ error: { message: string } }>(await call("POST", `/fine-tunes/${job.id}/cancel`), 400);
    expect(again.error.message).toContain("cancelled");
  });

  it("fails with status error from the run's config or the control plane, and holds", async () => {
    const { run, create, get } = await setup({ fine_tuning: { fail: "GPU fell over" } });
    const job = await create();
    await advanceClock(run, 120_000 + 120_000);
    const failed = await get(job.id);
    expect(failed.status).toBe("error");
    expect(failed.events.at(-1)).toMatchObject({ type: "job_error", message: "GPU fell over" });

    const other = await setup();
    const held = await other.create();
    await holdJob(held.id, true);
    await advanceClock(other.run, 3_600_000);
    expect((await other.get(held.id)).status).toBe("running");
    const viaControl = (await failJob(held.id, "operator stopped it")) as TogetherJob;
    expect(viaControl.status).toBe("error");
  });

  it("answers Together's 400s and 404s", async () => {
    const { file, call } = await setup();
    const post = async (payload: Record<string, unknown>) => body<{ error: { message: string; type: string; param: string | null } }>(await call("POST", "/fine-tunes", payload), 400);
    expect((await post({ training_file: file.id, model: "gpt-4o-mini-2024-07-18" })).error).toMatchObject({ param: "model", type: "invalid_request_error" });
    expect((await post({ training_file: file.id, model: BASE, n_epochs: 21 })).error.param).toBe("n_epochs");
    expect((await post({ training_file: file.id, model: BASE, suffix: "x".repeat(41) })).error.param).toBe("suffix");
    expect((await post({ training_file: file.id, model: BASE, batch_size: 4 })).error.param).toBe("batch_size");
    expect((await post({ model: BASE })).error.param).toBe("training_file");
    expect((await post({ training_file: "file-nope", model: BASE })).error.param).toBe("training_file");
    expect((await call("GET", "/fine-tunes/ft-00000000-0000-0000-0000-000000000000")).status).toBe(404);
    expect((await callEmulator("/together/v1/fine-tunes", { method: "GET" })).status).toBe(401);
  });

  it("holds exactly the jobs created in the run, and counts the endpoints in the run's stats", async () => {
    const { run, create, get } = await setup();
    const job = await create();
    await get(job.id);
    const held = await listEmulatorJobs("together", run);
    expect(held).toEqual([expect.objectContaining({ provider: "together", id: job.id, run, status: "pending", engine_status: "validating_files" })]);
    expect(await listEmulatorJobs("openai", run)).toEqual([]);
    const stats = await runStats(run);
    expect(stats.requests).toMatchObject({ "POST /together/v1/files/upload": 1, "POST /together/v1/fine-tunes": 1, "GET /together/v1/fine-tunes/:id": 1 });
  });
});
