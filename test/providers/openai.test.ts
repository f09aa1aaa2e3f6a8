import { describe, expect, it } from "vitest";
import { type FineTuneProviderOptions, fineTuneProviderFor } from "../../src/providers";
import { advanceClock, type configureRun, failJob } from "../helpers/emulator";
import { emulatorEnv, emulatorFile, examplesJsonl, generatedUpload, recorder, streamSha256, testEnv, providerInRun, thrown, uploadOf } from "./helpers";

const BASE = "gpt-4o-mini-2024-07-18";
// 10 examples, batch 1, 2 epochs: 20 steps.
const HYPER = { n_epochs: 2, batch_size: 1, learning_rate_multiplier: 1.5 };

const setup = (opts: Partial<FineTuneProviderOptions> = {}, config: Parameters<typeof configureRun>[1] = {}) =>
  providerInRun("openai", 10_000, opts, config);

async function createdJob(key = `ftj_${crypto.randomUUID().slice(0, 8)}`) {
  const ctx = await setup();
  const file = await ctx.provider.uploadTrainingFile(uploadOf(examplesJsonl(), `${key}-train`));
  const job = await ctx.provider.createJob({
    key,
    baseModel: BASE,
    trainingFile: file.id,
    validationFile: null,
    hyperparameters: HYPER,
    suffix: "support",
    seed: 7,
    lora: false,
  });
  return { ...ctx, key, file, job };
}

describe("OpenAI fine-tune provider: uploads", () => {
  it("streams a multi-megabyte file into one POST /files with a streamed multipart body", async () => {
    const rec = recorder();
    const { provider } = await setup({ wrapFetch: rec.wrapFetch });
    const upload = generatedUpload(6 * 1024 * 1024 + 123, "ftj_big-train");

    const file = await provider.uploadTrainingFile(upload);

    expect(file.bytes).toBe(upload.bytes);
    expect(file.id).toMatch(/^file-/);
    const stored = await emulatorFile(file.id);
    expect(stored).toEqual({ bytes: upload.bytes, sha256: await streamSha256(await upload.open()) });
    expect(rec.calls).toHaveLength(1);
    expect(rec.calls[0]).toMatchObject({ method: "POST", streamed: true, contentType: expect.stringMatching(/^multipart\/form-data; boundary=/) });
    expect(rec.calls[0]?.url).toMatch(/\/v1\/files$/);
  });

  it("uses the Uploads API above the size threshold, in parts cut from the stream", async () => {
    const rec = recorder();
    const { provider } = await setup({ wrapFetch: rec.wrapFetch, largeFileBytes: 10_000, partBytes: 16 * 1024 });
    const upload = generatedUpload(40_000, "ftj_parts-train");

    const file = await provider.uploadTrainingFile(upload);

    expect(await emulatorFile(file.id)).toEqual({ bytes: 40_000, sha256: await streamSha256(await upload.open()) });
    const paths = rec.calls.map((c) => `${c.method} ${new URL(c.url).pathname.replace(/upload_[A-Za-z0-9]+/, ":id")}`);
    expect(paths).toEqual([
      "POST /v1/uploads",
      "POST /v1/uploads/:id/parts",
      "POST /v1/uploads/:id/parts",
      "POST /v1/uploads/:id/parts",
      "POST /v1/uploads/:id/complete",
    ]);
    expect(rec.calls.filter((c) => c.url.endsWith("/parts")).every((c) => c.streamed)).toBe(true);
  });

  it("fails for good an upload whose stream is shorter or longer than the size declared", async () => {
    const { provider } = await setup();
    const bytes = examplesJsonl();
    for (const declared of [bytes.byteLength + 10, bytes.byteLength - 10]) {
      const err = await thrown(provider.uploadTrainingFile({ ...uploadOf(bytes, "ftj_size-train"), bytes: declared }));
      expect(err).toMatchObject({ code: "bad_request", retryable: false });
      expect(err.message).toMatch(/declared/);
    }
  });
});

describe("OpenAI fine-tune provider: jobs", () => {
  it("creates a supervised job tagged with the key, and findJob finds that one job", async () => {
    const { provider, key, file, job } = await createdJob();
    expect(job).toMatchObject({
      status: "validating",
      provider_status: "validating_files",
      base_model: BASE,
      fine_tuned_model: null,
      key,
      error: null,
      finished_at: null,
    });
    expect(job.id).toMatch(/^ftjob-/);
    expect(job.created_at).toEqual(expect.any(Number));
    expect(file.id).toMatch(/^file-/);

    expect(await provider.findJob(key)).toEqual(job);
    expect(await provider.findJob(`${key}-other`)).toBeNull();
  });

  it("reads validating → queued → running → succeeded with the model name as the clock advances", async () => {
    const { run, provider, job } = await createdJob();
    await advanceClock(run, 1_000);
    expect((await provider.getJob(job.id)).status).toBe("queued");
    await advanceClock(run, 1_000);
    expect((await provider.getJob(job.id)).status).toBe("running");
    await advanceClock(run, 10_000);
    const done = await provider.getJob(job.id);
    expect(done).toMatchObject({ status: "succeeded", provider_status: "succeeded", error: null });
    expect(done.fine_tuned_model).toMatch(new RegExp(`^ft:${BASE}:.+:support:`));
    expect(done.trained_tokens).toBeGreaterThan(0);
    expect(done.finished_at).toBeGreaterThanOrEqual(done.created_at ?? 0);
  });

  it("reports a failed job with the provider's message", async () => {
    const { run, provider, job } = await createdJob();
    await advanceClock(run, 3_000);
    await failJob(job.id, "GPU exploded");
    const failed = await provider.getJob(job.id);
    expect(failed).toMatchObject({ status: "failed", error: { message: "GPU exploded" }, fine_tuned_model: null });
  });

  it("lists events oldest first, and only those newer than `after`, across pages", async () => {
    const { run, job } = await createdJob();
    const provider = fineTuneProviderFor(emulatorEnv(), "openai", { requestId: `${run}:events`, eventPageSize: 3 });
    await advanceClock(run, 2_000);
    const first = await provider.listEvents(job.id);
    expect(first.length).toBeGreaterThanOrEqual(4);
    expect(first[0]?.message).toMatch(/Created fine-tuning job/);
    const times = first.map((e) => e.created_at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(await provider.listEvents(job.id, first.at(-1)?.id)).toEqual([]);

    await advanceClock(run, 10_000);
    const rest = await provider.listEvents(job.id, first.at(-1)?.id);
    expect(rest.length).toBeGreaterThan(3);
    expect(rest.some((e) => e.type === "metrics")).toBe(true);
    expect(rest.at(-1)?.message).toMatch(/successfully completed/);
    const all = await provider.listEvents(job.id);
    expect(all.map((e) => e.id)).toEqual([...first, ...rest].map((e) => e.id));
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
  });

  it("cancels a running job; cancelling it again returns it as it is", async () => {
    const { run, provider, job } = await createdJob();
    await advanceClock(run, 3_000);
    const cancelled = await provider.cancel(job.id);
    expect(cancelled).toMatchObject({ id: job.id, status: "cancelled" });
    expect((await provider.getJob(job.id)).status).toBe("cancelled");
    expect(await provider.cancel(job.id)).toMatchObject({ status: "cancelled" });
  });
});

describe("OpenAI fine-tune provider: errors", () => {
  it("answers not_found for a job id the provider does not know", async () => {
    const { provider } = await setup();
    for (const call of [() => provider.getJob("ftjob-nope"), () => provider.cancel("ftjob-nope"), () => provider.listEvents("ftjob-nope")]) {
      const err = await thrown(call());
      expect(err).toMatchObject({ code: "not_found", status: 404, retryable: false, details: { provider: "openai", provider_job_id: "ftjob-nope" } });
    }
  });

  it("turns the provider's 429 into a retryable rate_limited", async () => {
    const { provider } = await setup({}, { faults: { rate_429: 1 } });
    for (const call of [() => provider.getJob("ftjob-x"), () => provider.uploadTrainingFile(uploadOf(examplesJsonl(), "k-train")), () => provider.findJob("k")]) {
      const err = await thrown(call());
      expect(err).toMatchObject({ code: "rate_limited", retryable: true });
    }
  });

  it("answers 400 naming OPENAI_API_KEY when nothing is configured, before any call", () => {
    const env = testEnv({ LOCAL_OPENAI: undefined });
    expect(() => fineTuneProviderFor(env, "openai", { requestId: "r" })).toThrow(
      expect.objectContaining({ code: "bad_request", status: 400, message: expect.stringContaining("OPENAI_API_KEY") }),
    );
  });

  it("turns a surprising response body into a final upstream_error", async () => {
    const provider = fineTuneProviderFor(emulatorEnv(), "openai", {
      requestId: "weird",
      wrapFetch: () => async () => new Response(JSON.stringify({ id: 5, status: "running" }), { headers: { "content-type": "application/json" } }),
    });
    const err = await thrown(provider.getJob("ftjob-x"));
    expect(err).toMatchObject({ code: "upstream_error", retryable: false });
    expect(err.message).toMatch(/unexpected fine-tuning job/);
  });
});
