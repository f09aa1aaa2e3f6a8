import { describe, expect, it } from "vitest";
import { type FineTuneProviderOptions, fineTuneProviderFor, keyedSuffix } from "../../src/providers";
import { advanceClock, type configureRun, failJob } from "../helpers/emulator";
import { emulatorEnv, emulatorFile, examplesJsonl, generatedUpload, recorder, streamSha256, testEnv, providerInRun, thrown, uploadOf } from "./helpers";

const BASE = "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference";
const HYPER = { n_epochs: 2, learning_rate: 1e-5, batch_size: 8, lora_r: 8 };

const setup = (opts: Partial<FineTuneProviderOptions> = {}, config: Parameters<typeof configureRun>[1] = {}) =>
  providerInRun("together", 20_000, opts, config);

async function createdJob(key = `ftj_${crypto.randomUUID().slice(0, 8)}`, suffix: string | null = "support") {
  const ctx = await setup();
  const file = await ctx.provider.uploadTrainingFile(uploadOf(examplesJsonl(10, key), `${key}-train`));
  const job = await ctx.provider.createJob({ key, baseModel: BASE, trainingFile: file.id, validationFile: null, hyperparameters: HYPER, suffix, seed: 3, lora: true });
  return { ...ctx, key, file, job };
}

describe("Together fine-tune provider: uploads and jobs", () => {
  it("streams a multi-megabyte file into one multipart POST /files/upload", async () => {
    const rec = recorder();
    const { provider } = await setup({ wrapFetch: rec.wrapFetch });
    const upload = generatedUpload(5 * 1024 * 1024 + 7, "ftj_big-train");

    const file = await provider.uploadTrainingFile(upload);

    expect(file).toEqual({ id: expect.stringMatching(/^file-/), bytes: upload.bytes });
    expect(await emulatorFile(file.id, "/together/v1")).toEqual({ bytes: upload.bytes, sha256: await streamSha256(await upload.open()) });
    expect(rec.calls).toHaveLength(1);
    expect(rec.calls[0]).toMatchObject({ method: "POST", streamed: true, contentType: expect.stringMatching(/^multipart\/form-data/) });
    expect(new URL(rec.calls[0]?.url ?? "").pathname).toBe("/together/v1/files/upload");
  });

  it("creates a LoRA job whose suffix carries the key, and findJob finds that one job", async () => {
    const { provider, key, job } = await createdJob();
    expect(job).toMatchObject({ status: "queued", provider_status: "pending", base_model: BASE, fine_tuned_model: null, key, error: null });
    expect(job.id).toMatch(/^ft-/);
    const suffix = await keyedSuffix(key, "support");
    expect(suffix).toMatch(/^support-d[0-9a-f]{12}$/);

    const found = await provider.findJob(key);
    expect(found).toMatchObject({ id: job.id, key });
    expect(await provider.findJob(`${key}-other`)).toBeNull();
  });

  it("keeps the key's tag within Together's 40-character suffix whatever the caller's suffix", async () => {
    const long = await keyedSuffix("ftj_abc", "A very long suffix, with punctuation & CAPITALS!");
    expect(long.length).toBeLessThanOrEqual(40);
    expect(long).toMatch(/^[a-z0-9-]+-d[0-9a-f]{12}$/);
    expect(await keyedSuffix("ftj_abc", null)).toMatch(/^d[0-9a-f]{12}$/);
    expect(await keyedSuffix("ftj_abc", "x")).not.toBe(await keyedSuffix("ftj_abC", "x"));
  });

  it("reads queued → running → succeeded with the output model as the clock advances", async () => {
    const { run, provider, job } = await createdJob();
    await advanceClock(run, 1_000);
    expect((await provider.getJob(job.id)).status).toBe("queued");
    await advanceClock(run, 1_000);
    expect(await provider.getJob(job.id)).toMatchObject({ status: "running", provider_status: "running" });
    await advanceClock(run, 19_500);
    const tail = await provider.getJob(job.id);
    expect(tail.status).toBe("running");
    expect(["compressing", "uploading"]).toContain(tail.provider_status);
    await advanceClock(run, 1_000);
    const done = await provider.getJob(job.id);
    expect(done).toMatchObject({ status: "succeeded", provider_status: "completed", error: null });
    expect(done.fine_tuned_model).toMatch(/support-d[0-9a-f]{12}/);
    expect(done.trained_tokens).toBeGreaterThan(0);
    expect(done.finished_at).toEqual(expect.any(Number));
  });

  it("reports a failed job with the message of its error event", async () => {
    const { run, provider, job } = await createdJob();
    await advanceClock(run, 3_000);
    await failJob(job.id, "CUDA out of memory");
    expect(await provider.getJob(job.id)).toMatchObject({ status: "failed", provider_status: "error", error: { code: "error", message: "CUDA out of memory" } });
  });

  it("lists events oldest first with stable derived ids, and only those after `after`", async () => {
    const { run, provider, job } = await createdJob();
    await advanceClock(run, 2_000);
    const first = await provider.listEvents(job.id);
    expect(first.length).toBeGreaterThanOrEqual(2);
    expect(first.every((e) => /^tev-[0-9a-f]{24}$/.test(e.id))).toBe(true);
    expect(first.map((e) => e.id)).toEqual((await provider.listEvents(job.id)).map((e) => e.id));
    const times = first.map((e) => e.created_at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(await provider.listEvents(job.id, first.at(-1)?.id)).toEqual([]);

    await advanceClock(run, 25_000);
    const rest = await provider.listEvents(job.id, first.at(-1)?.id);
    expect(rest.length).toBeGreaterThan(0);
    expect(rest.at(-1)?.type).toBe("job_complete");
    const all = await provider.listEvents(job.id);
    expect(all.map((e) => e.id)).toEqual([...first, ...rest].map((e) => e.id));
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
  });

  it("cancels a running job (cancel_requested reads as running, then cancelled); cancelling again returns it", async () => {
    const { run, provider, job } = await createdJob();
    await advanceClock(run, 3_000);
    const requested = await provider.cancel(job.id);
    expect(requested.id).toBe(job.id);
    expect(["running", "cancelled"]).toContain(requested.status);
    await advanceClock(run, 10_000);
    const cancelled = await provider.getJob(job.id);
    expect(cancelled).toMatchObject({ status: "cancelled", provider_status: "cancelled" });
    expect(await provider.cancel(job.id)).toMatchObject({ status: "cancelled" });
  });
});

describe("Together fine-tune provider: errors", () => {
  it("answers not_found for a job id the provider does not know", async () => {
    const { provider } = await setup();
    for (const call of [() => provider.getJob("ft-nope"), () => provider.cancel("ft-nope"), () => provider.listEvents("ft-nope")]) {
      const err = await thrown(call());
      expect(err).toMatchObject({ code: "not_found", retryable: false, details: { provider: "together", provider_job_id: "ft-nope" } });
    }
  });

  it("turns the provider's 429 into a retryable rate_limited", async () => {
    const { provider } = await setup({}, { faults: { rate_429: 1 } });
    for (const call of [() => provider.getJob("ft-x"), () => provider.uploadTrainingFile(uploadOf(examplesJsonl(), "k-train")), () => provider.findJob("k")]) {
      expect(await thrown(call())).toMatchObject({ code: "rate_limited", retryable: true });
    }
  });

  it("answers 400 naming TOGETHER_API_KEY when nothing is configured, before any call", () => {
    expect(() => fineTuneProviderFor(testEnv({ LOCAL_OPENAI: undefined }), "together", { requestId: "r" })).toThrow(
      expect.objectContaining({ code: "bad_request", status: 400, message: expect.stringContaining("TOGETHER_API_KEY") }),
    );
  });

  it("reads the message of error bodies not shaped like OpenAI's", async () => {
    for (const body of [{ message: "Job ft-1 not found" }, { error: "Job ft-1 not found" }, { detail: "Job ft-1 not found" }]) {
      const provider = fineTuneProviderFor(emulatorEnv(), "together", {
        requestId: "odd",
        wrapFetch: () => async () => new Response(JSON.stringify(body), { status: 400, headers: { "content-type": "application/json" } }),
      });
      const err = await thrown(provider.getJob("ft-1"));
      expect(err).toMatchObject({ code: "bad_request", retryable: false });
      expect(err.message).toContain("Job ft-1 not found");
    }
  });
});
