import { describe, expect, it } from "vitest";
import { type FineTuneProviderOptions, fineTuneProviderFor } from "../../src/providers";
import { advanceClock, type configureRun, failJob } from "../helpers/emulator";
import { emulatorEnv, examplesJsonl, generatedUpload, recorder, testEnv, providerInRun, thrown, uploadOf } from "./helpers";

const BASE = "accounts/fireworks/models/llama-v3p1-8b-instruct";
const HYPER = { epochs: 2, learning_rate: 1e-4, lora_rank: 8 };

const setup = (opts: Partial<FineTuneProviderOptions> = {}, config: Parameters<typeof configureRun>[1] = {}) =>
  providerInRun("fireworks", 20_000, opts, config);

const newKey = () => `ftj_${crypto.randomUUID().slice(0, 8)}`;

async function createdJob(key = newKey()) {
  const ctx = await setup();
  const file = await ctx.provider.uploadTrainingFile(uploadOf(examplesJsonl(10, key), `${key}-train`));
  const input = { key, baseModel: BASE, trainingFile: file.id, validationFile: null, hyperparameters: HYPER, suffix: "support", seed: null, lora: true };
  const job = await ctx.provider.createJob(input);
  return { ...ctx, key, file, input, job };
}

const pathOf = (url: string) => decodeURIComponent(new URL(url).pathname);

describe("Fireworks fine-tune provider: datasets", () => {
  it("creates a dataset under an id derived from the key and streams a multi-megabyte file into :upload", async () => {
    const rec = recorder();
    const { provider } = await setup({ wrapFetch: rec.wrapFetch });
    const upload = generatedUpload(4 * 1024 * 1024 + 3, "ftj_Big-train");

    const file = await provider.uploadTrainingFile(upload);

    expect(file.bytes).toBe(upload.bytes);
    expect(file.id).toMatch(/^accounts\/local\/datasets\/ds-ftj-big-train-[0-9a-f]{10}$/);
    expect(rec.calls.map((c) => `${c.method} ${pathOf(c.url)}`)).toEqual([
      "POST /fireworks/v1/accounts/local/datasets",
      `POST /fireworks/v1/${file.id}:upload`,
    ]);
    expect(rec.calls[1]).toMatchObject({ streamed: true, contentType: expect.stringMatching(/^multipart\/form-data/) });
  });

  it("finds a READY dataset on a second upload with the same key, and uploads nothing", async () => {
    const rec = recorder();
    const { provider } = await setup({ wrapFetch: rec.wrapFetch });
    const upload = uploadOf(examplesJsonl(), `${newKey()}-train`);
    const first = await provider.uploadTrainingFile(upload);
    rec.calls.length = 0;

    const second = await provider.uploadTrainingFile(upload);

    expect(second).toEqual(first);
    expect(rec.calls.map((c) => `${c.method} ${pathOf(c.url)}`)).toEqual([
      "POST /fireworks/v1/accounts/local/datasets",
      `GET /fireworks/v1/${first.id}`,
    ]);
    expect(upload.opened()).toBe(1);
  });

  it("above the threshold, PUTs the stream to the signed URL without the API key, then validates", async () => {
    const rec = recorder();
    const { provider } = await setup({ wrapFetch: rec.wrapFetch, largeFileBytes: 1_000 });
    const upload = generatedUpload(300_000, `${newKey()}-train`);

    const file = await provider.uploadTrainingFile(upload);

    const calls = rec.calls.map((c) => `${c.method} ${pathOf(c.url).replace(file.id, ":dataset")}`);
    expect(calls[0]).toBe("POST /fireworks/v1/accounts/local/datasets");
    expect(calls[1]).toBe("POST /fireworks/v1/:dataset:getUploadEndpoint");
    expect(calls[2]).toMatch(/^PUT /);
    expect(calls[3]).toBe("POST /fireworks/v1/:dataset:validateUpload");
    expect(rec.calls[2]).toMatchObject({ streamed: true, authorization: null });
  });
});

describe("Fireworks fine-tune provider: jobs", () => {
  it("creates a job under an id derived from the key; findJob and a repeated createJob find that one job", async () => {
    const { provider, key, input, job, file } = await createdJob();
    expect(job).toMatchObject({ status: expect.stringMatching(/^(queued|validating)$/), base_model: BASE, fine_tuned_model: null, key, error: null });
    expect(job.id).toMatch(/^ft-ftj-[a-z0-9-]+-[0-9a-f]{10}$/);
    expect(job.provider_status).toMatch(/^JOB_STATE_/);
    expect(file.id).toMatch(/^accounts\/local\/datasets\//);

    expect(await provider.findJob(key)).toMatchObject({ id: job.id, key });
    expect(await provider.createJob(input)).toMatchObject({ id: job.id, key });
    expect(await provider.findJob(newKey())).toBeNull();
  });

  it("reads through its states to succeeded with the output model's full name", async () => {
    const { run, provider, job } = await createdJob();
    await advanceClock(run, 2_000);
    expect((await provider.getJob(job.id)).status).toBe("running");
    await advanceClock(run, 20_000);
    const done = await provider.getJob(job.id);
    expect(done).toMatchObject({ status: "succeeded", provider_status: "JOB_STATE_COMPLETED", error: null });
    expect(done.fine_tuned_model).toMatch(/^accounts\/local\/models\/support-/);
    expect(done.finished_at).toEqual(expect.any(Number));
  });

  it("reports a failed job with the provider's message", async () => {
    const { run, provider, job } = await createdJob();
    await advanceClock(run, 3_000);
    await failJob(job.id, "dataset rows too long");
    expect(await provider.getJob(job.id)).toMatchObject({ status: "failed", provider_status: "JOB_STATE_FAILED", error: { message: "dataset rows too long" } });
  });

  it("has no events to list (Fireworks has no events API for these jobs)", async () => {
    const { provider, job } = await createdJob();
    expect(await provider.listEvents(job.id)).toEqual([]);
  });

  it("cancels a running job; cancelling it again returns it as it is", async () => {
    const { run, provider, job } = await createdJob();
    await advanceClock(run, 3_000);
    const cancelling = await provider.cancel(job.id);
    expect(cancelling.id).toBe(job.id);
    expect(["running", "cancelled"]).toContain(cancelling.status);
    await advanceClock(run, 10_000);
    expect(await provider.getJob(job.id)).toMatchObject({ status: "cancelled", provider_status: "JOB_STATE_CANCELLED" });
    expect(await provider.cancel(job.id)).toMatchObject({ status: "cancelled" });
  });
});

describe("Fireworks fine-tune provider: errors", () => {
  it("answers not_found for a job id the provider does not know", async () => {
    const { provider } = await setup();
    for (const call of [() => provider.getJob("ft-nope"), () => provider.cancel("ft-nope")]) {
      const err = await thrown(call());
      expect(err).toMatchObject({ code: "not_found", retryable: false, details: { provider: "fireworks", provider_job_id: "ft-nope" } });
    }
  });

  it("turns the provider's 429 into a retryable rate_limited", async () => {
    const { provider } = await setup({}, { faults: { rate_429: 1 } });
    for (const call of [() => provider.getJob("ft-x"), () => provider.uploadTrainingFile(uploadOf(examplesJsonl(), "k-train")), () => provider.findJob("k")]) {
      expect(await thrown(call())).toMatchObject({ code: "rate_limited", retryable: true });
    }
  });

  it("answers 400 naming FIREWORKS_API_KEY when nothing is configured, and FIREWORKS_ACCOUNT_ID when only the key is", () => {
    expect(() => fineTuneProviderFor(testEnv({ LOCAL_OPENAI: undefined }), "fireworks", { requestId: "r" })).toThrow(
      expect.objectContaining({ code: "bad_request", status: 400, message: expect.stringContaining("FIREWORKS_API_KEY") }),
    );
    expect(() => fineTuneProviderFor(testEnv({ LOCAL_OPENAI: undefined, FIREWORKS_API_KEY: "fw_test_key" }), "fireworks", { requestId: "r" })).toThrow(
      expect.objectContaining({ code: "bad_request", message: expect.stringContaining("FIREWORKS_ACCOUNT_ID") }),
    );
  });

  it("reads the message of Fireworks' error bodies (Google-style and gRPC-gateway)", async () => {
    const bodies = [
      { error: { code: 409, message: "Dataset is in state UPLOADING", status: "FAILED_PRECONDITION" } },
      { code: 9, message: "Dataset is in state UPLOADING", details: [] },
    ];
    for (const body of bodies) {
      const provider = fineTuneProviderFor(emulatorEnv(), "fireworks", {
        requestId: "odd",
        wrapFetch: () => async () => new Response(JSON.stringify(body), { status: 400, headers: { "content-type": "application/json" } }),
      });
      const err = await thrown(provider.getJob("ft-1"));
      expect(err).toMatchObject({ code: "bad_request", retryable: false });
      expect(err.message).toContain("Dataset is in state UPLOADING");
    }
  });
});
