import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { EMULATOR_ORIGIN, advanceClock, callEmulator, configureRun, emulatorFetch, failJob, holdJob, listEmulatorJobs, providerCall, runStats, uniqueRun } from "../helpers/emulator";
import { trainingJsonl } from "./fixtures";

const BASE = "accounts/fireworks/models/llama-v3p1-8b-instruct";
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

interface Job {
  name: string;
  state: string;
  status: { code: string; message: string };
  outputModel: string;
  createTime: string;
  updateTime: string;
  completedTime?: string;
  jobProgress: { percent: number; epoch: number; inputTokens: number };
  [key: string]: unknown;
}
type GoogleError = { error: { code: number; message: string; status: string } };

async function body<T>(res: Response, status = 200): Promise<T> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  return JSON.parse(text) as T;
}

/** A run with a frozen clock, an account of its own, and helpers for its control plane. */
async function setup(config: Parameters<typeof configureRun>[1] = {}) {
  const run = uniqueRun("fw");
  const account = run;
  await configureRun(run, { clock: { speed: 0 }, ...config });
  const call = (method: string, path: string, payload?: unknown) => providerCall(run, method, `/fireworks/v1/accounts/${account}${path}`, payload);
  const dataset = async (id: string, jsonl = trainingJsonl()) => {
    await body(await call("POST", "/datasets", { datasetId: id, dataset: { userUploaded: {}, format: "CHAT" } }));
    const form = new FormData();
    form.append("file", new File([jsonl], `${id}.jsonl`));
    await body(await call("POST", `/datasets/${id}:upload`, form));
    return `accounts/${account}/datasets/${id}`;
  };
  const createJob = async (payload: Record<string, unknown>, jobId?: string) =>
    call("POST", `/supervisedFineTuningJobs${jobId ? `?supervisedFineTuningJobId=${jobId}` : ""}`, { baseModel: BASE, ...payload });
  const get = async (id: string) => body<Job>(await call("GET", `/supervisedFineTuningJobs/${id}`));
  return { run, account, call, dataset, createJob, get };
}

describe("emulator: Fireworks datasets", () => {
  it("creates a dataset, uploads it in one request, and reads it READY with its example count", async () => {
    const { account, call } = await setup();
    const created = await body<Record<string, unknown>>(await call("POST", "/datasets", { datasetId: "docs-qa", dataset: { userUploaded: {}, format: "CHAT", displayName: "Docs QA" } }));
    expect(created).toMatchObject({ name: `accounts/${account}/datasets/docs-qa`, displayName: "Docs QA", state: "UPLOADING", format: "CHAT", exampleCount: "0", userUploaded: {} });
    expect(created.createTime).toMatch(RFC3339);
    const dup = await body<GoogleError>(await call("POST", "/datasets", { datasetId: "docs-qa", dataset: { userUploaded: {} } }), 409);
    expect(dup.error).toMatchObject({ code: 409, status: "ALREADY_EXISTS", message: expect.stringContaining("docs-qa") });
    expect((await body<GoogleError>(await call("POST", "/datasets", { datasetId: "Not_Valid", dataset: {} }), 400)).error.status).toBe("INVALID_ARGUMENT");

    const form = new FormData();
    form.append("file", new File([trainingJsonl()], "train.jsonl"));
    const uploaded = await body(await call("POST", "/datasets/docs-qa:upload", form));
    expect(uploaded).toEqual({ id: "docs-qa", object: "file", bytes: new TextEncoder().encode(trainingJsonl()).byteLength, created_at: expect.any(Number), filename: "train.jsonl", purpose: "fine-tune" });
    expect(await body(await call("GET", "/datasets/docs-qa"))).toMatchObject({ state: "READY", exampleCount: "10" });
    const again = await body<GoogleError>(await call("POST", "/datasets/docs-qa:upload", form), 400);
    expect(again.error.status).toBe("FAILED_PRECONDITION");

    const list = await body<{ datasets: Array<{ name: string }>; nextPageToken: string; totalSize: number }>(await call("GET", "/datasets"));
    expect(list).toMatchObject({ nextPageToken: "", totalSize: 1 });
    expect(await body(await call("DELETE", "/datasets/docs-qa"))).toEqual({});
    expect((await body<GoogleError>(await call("GET", "/datasets/docs-qa"), 404)).error.status).toBe("NOT_FOUND");
  });

  it("uploads through a signed URL on the emulator's own origin, then validates the upload", async () => {
    const { run, call } = await setup();
    await body(await call("POST", "/datasets", { datasetId: "big", dataset: { userUploaded: {}, format: "CHAT" } }));
    const data = new TextEncoder().encode(trainingJsonl(12));
    const { filenameToSignedUrls } = await body<{ filenameToSignedUrls: Record<string, string> }>(
      await call("POST", "/datasets/big:getUploadEndpoint", { filenameToSize: { "big.jsonl": String(data.byteLength) } }),
    );
    const url = filenameToSignedUrls["big.jsonl"]!;
    expect(url).toMatch(new RegExp(`^${EMULATOR_ORIGIN}/fireworks/_signed/[0-9a-f]{32}$`));
    // Validating before the bytes arrived is refused.
    expect((await body<GoogleError>(await call("POST", "/datasets/big:validateUpload", {}), 400)).error.status).toBe("FAILED_PRECONDITION");
    const wrongSize = await emulatorFetch(url, { method: "PUT", body: data.slice(1) });
    expect(wrongSize.status).toBe(400);
    const put = await emulatorFetch(url, { method: "PUT", headers: { "content-type": "application/octet-stream" }, body: data });
    expect(put.status).toBe(200);
    expect(await body(await call("POST", "/datasets/big:validateUpload", {}))).toEqual({});
    expect(await body(await call("GET", "/datasets/big"))).toMatchObject({ state: "READY", exampleCount: "12" });
    const stats = await runStats(run);
    expect(stats.requests).toMatchObject({
      "POST /fireworks/v1/accounts/:account/datasets/:id:getUploadEndpoint": 1,
      "POST /fireworks/v1/accounts/:account/datasets/:id:validateUpload": 2,
    });
  });
});

describe("emulator: Fireworks supervised fine-tuning jobs", () => {
  it("moves CREATING → PENDING → VALIDATING → RUNNING → WRITING_RESULTS → COMPLETED", async () => {
    const { run, account, dataset, createJob, get, call } = await setup();
    const ds = await dataset("train");
    const job = await body<Job>(await createJob({ dataset: ds, outputModel: "support-bot", displayName: "Support", epochs: 2, learningRate: 0.0002, loraRank: 16 }, "sft-one"));
    expect(job).toMatchObject({
      name: `accounts/${account}/supervisedFineTuningJobs/sft-one`,
      displayName: "Support",
      state: "JOB_STATE_CREATING",
      status: { code: "OK", message: "" },
      dataset: ds,
      baseModel: BASE,
      outputModel: `accounts/${account}/models/support-bot`,
      epochs: 2,
      learningRate: 0.0002,
      loraRank: 16,
      jobProgress: { percent: 0, epoch: 0, inputTokens: 0 },
    });
    expect(job.createTime).toMatch(RFC3339);
    expect(job.completedTime).toBeUndefined();

    const dup = await body<GoogleError>(await createJob({ dataset: ds }, "sft-one"), 409);
    expect(dup.error.status).toBe("ALREADY_EXISTS");

    const steps: Array<[number, string]> = [
      [20_000, "JOB_STATE_PENDING"],
      [20_000, "JOB_STATE_VALIDATING"],
      [80_000, "JOB_STATE_RUNNING"],
      [455_000, "JOB_STATE_RUNNING"],
      [1_000, "JOB_STATE_WRITING_RESULTS"],
      [24_000, "JOB_STATE_COMPLETED"],
    ];
    for (const [ms, state] of steps) {
      await advanceClock(run, ms);
      expect((await get("sft-one")).state).toBe(state);
    }
    const done = await get("sft-one");
    expect(done.completedTime).toMatch(RFC3339);
    expect(Date.parse(done.completedTime!) - Date.parse(done.createTime)).toBe(600_000);
    expect(done.jobProgress).toMatchObject({ percent: 100, epoch: 1 });
    expect(done.jobProgress.inputTokens).toBeGreaterThan(0);
    expect(done.status).toEqual({ code: "OK", message: "" });

    // An autogenerated id is a UUID; lists are newest first with Fireworks paging.
    const other = await body<Job>(await createJob({ dataset: ds }));
    expect(other.name).toMatch(/\/supervisedFineTuningJobs\/[0-9a-f-]{36}$/);
    expect(other.outputModel).toBe(`accounts/${account}/models/${other.name.split("/").pop()}`);
    const page = await body<{ supervisedFineTuningJobs: Job[]; nextPageToken: string; totalSize: number }>(await call("GET", "/supervisedFineTuningJobs?pageSize=1"));
    expect(page.supervisedFineTuningJobs.map((j) => j.name)).toEqual([other.name]);
    expect(page.totalSize).toBe(2);
    const next = await body<{ supervisedFineTuningJobs: Job[]; nextPageToken: string }>(await call("GET", `/supervisedFineTuningJobs?pageSize=1&pageToken=${page.nextPageToken}`));
    expect(next.supervisedFineTuningJobs.map((j) => j.name)).toEqual([job.name]);
    expect(next.nextPageToken).toBe("");
    expect((await listEmulatorJobs("fireworks", run)).map((j) => [j.id, j.status])).toEqual([
      [other.name.split("/").pop(), "JOB_STATE_CREATING"],
      ["sft-one", "JOB_STATE_COMPLETED"],
    ]);
    // A fine-tuned Fireworks model needs a deployment: inference does not serve it.
    expect((await providerCall(run, "GET", `/fireworks/inference/v1/models/${done.outputModel}`)).status).toBe(404);
    expect(await body(await call("DELETE", "/supervisedFineTuningJobs/sft-one"))).toEqual({});
    expect((await call("GET", "/supervisedFineTuningJobs/sft-one")).status).toBe(404);
  });

  it("fails while VALIDATING when the dataset is not valid chat JSONL", async () => {
    const { run, dataset, createJob, get } = await setup();
    const ds = await dataset("broken", '{"messages": [{"role": "user", "content": "no answer"}]}\n');
    await body(await createJob({ dataset: ds }, "bad"));
    await advanceClock(run, 59_999);
    expect((await get("bad")).state).toBe("JOB_STATE_VALIDATING");
    await advanceClock(run, 1);
    const failed = await get("bad");
    expect(failed.state).toBe("JOB_STATE_FAILED");
    expect(failed.status).toEqual({ code: "INVALID_ARGUMENT", message: expect.stringContaining("Line 1") });
    expect(failed.completedTime).toMatch(RFC3339);
  });

  it("cancels: CANCELLING at once, CANCELLED shortly after; a finished job cannot be cancelled", async () => {
    const { run, dataset, createJob, get, call } = await setup();
    await body(await createJob({ dataset: await dataset("train") }, "to-cancel"));
    await advanceClock(run, 200_000);
    const cancelling = await body<Job>(await call("POST", "/supervisedFineTuningJobs/to-cancel:cancel", {}));
    expect(cancelling).toMatchObject({ state: "JOB_STATE_CANCELLING", status: { code: "CANCELLED" } });
    await advanceClock(run, 5_000);
    expect((await get("to-cancel")).state).toBe("JOB_STATE_CANCELLED");
    const again = await body<GoogleError>(await call("POST", "/supervisedFineTuningJobs/to-cancel:cancel", {}), 400);
    expect(again.error.status).toBe("FAILED_PRECONDITION");
  });

  it("fails and holds through the control plane by the job's short id", async () => {
    const { run, dataset, createJob, get } = await setup({ fine_tuning: { hold_running: true } });
    await body(await createJob({ dataset: await dataset("train") }, "held"));
    await advanceClock(run, 3_600_000);
    expect((await get("held")).state).toBe("JOB_STATE_RUNNING");
    await holdJob("held", false);
    const failed = (await failJob("held", "node lost")) as Job;
    expect(failed).toMatchObject({ state: "JOB_STATE_FAILED", status: { code: "INTERNAL", message: "node lost" } });
  });

  it("answers errors in Google's shape, which the openai SDK reads", async () => {
    const { run, account, dataset, createJob, call } = await setup();
    await body(await call("POST", "/datasets", { datasetId: "empty", dataset: { userUploaded: {} } }));
    const notReady = await body<GoogleError>(await createJob({ dataset: `accounts/${account}/datasets/empty` }), 400);
    expect(notReady.error).toMatchObject({ code: 400, status: "FAILED_PRECONDITION" });
    const ds = await dataset("train");
    expect((await body<GoogleError>(await createJob({ dataset: ds, baseModel: "accounts/fireworks/models/nope" }), 400)).error.status).toBe("INVALID_ARGUMENT");
    expect((await body<GoogleError>(await createJob({ dataset: ds, epochs: 0 }), 400)).error.status).toBe("INVALID_ARGUMENT");
    expect((await body<GoogleError>(await createJob({ dataset: ds }, "Bad_Id"), 400)).error.status).toBe("INVALID_ARGUMENT");
    const unauth = await body<GoogleError>(await callEmulator(`/fireworks/v1/accounts/${account}/datasets`), 401);
    expect(unauth.error.status).toBe("UNAUTHENTICATED");

    const sdk = new OpenAI({ apiKey: "fw-test", baseURL: `${EMULATOR_ORIGIN}/fireworks/v1`, fetch: emulatorFetch, maxRetries: 0, defaultHeaders: { "X-Emulator-Run": run } });
    const error = await sdk.get(`/accounts/${account}/supervisedFineTuningJobs/missing`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as InstanceType<typeof OpenAI.NotFoundError>).message).toContain("supervisedFineTuningJobs/missing not found");
  });
});
