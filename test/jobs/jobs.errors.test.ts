import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { toFile } from "openai";
import { beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import type { Bindings } from "../../src/env";
import { setClock } from "../../src/lib/clock";
import { api, bindings, createTenant, type ApiResponse } from "../helpers/api";
import { emulatorClient, listEmulatorJobs, runStats, uniqueRun } from "../helpers/emulator";
import { createJob, exampleLines, jobRun, readyDataset, whileOpenAITrains } from "../helpers/jobs";
import { capture } from "../helpers/secrets";

// These tests train OpenAI students: they stand on a day OpenAI still took jobs.
whileOpenAITrains();

const BASE = "gpt-4o-mini-2024-07-18";
const app = createApp();

/**
 * Calls the app as the Worker would, but with `changes` applied to its bindings (a deployment
 * configured otherwise; vars are typed as wrangler.jsonc's literals, hence the loose type).
 */
async function apiWithEnv(changes: { [K in keyof Bindings]?: unknown }, path: string, init: { method?: string; key: string; json?: unknown; headers?: Record<string, string> }): Promise<ApiResponse> {
  const headers = new Headers(init.headers);
  headers.set("Authorization", `Bearer ${init.key}`);
  if (init.json !== undefined) headers.set("Content-Type", "application/json");
  const req = new Request(`https://distillery.test${path}`, {
    method: init.method ?? "GET",
    headers,
    ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
  });
  const ctx = createExecutionContext();
  const res = await app.fetch(req, { ...bindings, ...changes } as Bindings, ctx);
  await waitOnExecutionContext(ctx);
  const text = await res.text();
  capture(`response ${init.method ?? "GET"} ${path} (modified env)`, text);
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, body, text };
}

/** A provider job made directly at the emulator (not through Distillery), in `run`. */
async function emulatorJob(run: string): Promise<string> {
  const client = emulatorClient(run);
  const file = await client.files.create({ file: await toFile(new TextEncoder().encode(exampleLines(12)), "train.jsonl"), purpose: "fine-tune" });
  return (await client.fineTuning.jobs.create({ model: BASE, training_file: file.id })).id;
}

/** The standard error body, with this status and code. */
function expectError(res: ApiResponse, status: number, code: string) {
  expect(res.status, res.text).toBe(status);
  expect(Object.keys(res.body)).toEqual(["error"]);
  expect(res.body.error).toMatchObject({ code, message: expect.any(String), request_id: expect.any(String) });
  for (const k of Object.keys(res.body.error)) expect(["code", "message", "details", "request_id"]).toContain(k);
  expect(res.headers.get("X-Request-Id")).toBe(res.body.error.request_id);
  return res.body.error as { code: string; message: string; details?: any; request_id: string };
}

/**
 * No provider file or job written for this run (reads, such as attach's lookup, are fine), and
 * nothing in the tenant's job list.
 */
async function expectNothingCreated(key: string, run: string, providerJobs = 0) {
  expect(await listEmulatorJobs("openai", run)).toHaveLength(providerJobs);
  const requests = Object.keys((await runStats(run)).requests);
  expect(requests.filter((r) => /^(POST|PUT|DELETE) .*(\/files|\/uploads|\/fine_tuning)/.test(r))).toEqual([]);
  const list = await api("/api/jobs", { key });
  expect(list.status).toBe(200);
  expect(list.body.data).toEqual([]);
}

let tenant: { id: string; key: string };
let run: string;

beforeEach(async () => {
  tenant = await createTenant();
  run = uniqueRun("ft-errors");
  await jobRun(run);
});

describe("POST /api/jobs refuses a bad dataset", () => {
  it("answers 404 for a dataset the tenant does not have", async () => {
    const res = await createJob(tenant.key, run, { dataset: "ds_doesnotexist", provider: "openai", base_model: BASE });
    const error = expectError(res, 404, "not_found");
    expect(error.message).toContain("ds_doesnotexist");
    await expectNothingCreated(tenant.key, run);
  });

  it("answers 404 for another tenant's dataset, by id and by name", async () => {
    const other = await createTenant("other");
    const theirs = await readyDataset(other.key);
    for (const ref of [theirs.id, theirs.name]) {
      const res = await createJob(tenant.key, run, { dataset: ref, provider: "openai", base_model: BASE });
      expectError(res, 404, "not_found");
    }
    await expectNothingCreated(tenant.key, run);
    expect((await api("/api/jobs", { key: other.key })).body.data).toEqual([]);
  });

  it("answers 409 naming the status for a dataset that is still open", async () => {
    const created = await api("/api/datasets", { method: "POST", key: tenant.key, json: { name: "still-open", eval_fraction: 0.25 } });
    expect(created.status).toBe(201);
    const imported = await api(`/api/datasets/${created.body.id}/import`, {
      method: "POST",
      key: tenant.key,
      headers: { "Content-Type": "application/x-ndjson" },
      body: exampleLines(20),
    });
    expect(imported.status).toBe(200);
    const res = await createJob(tenant.key, run, { dataset: created.body.id, provider: "openai", base_model: BASE });
    const error = expectError(res, 409, "conflict");
    expect(error.message).toContain("open");
    expect(error.details).toMatchObject({ dataset: created.body.id, status: "open" });
    await expectNothingCreated(tenant.key, run);
  });

  it("answers 409 naming the report's errors for a ready dataset with too few examples to fine-tune", async () => {
    // Import accepts any well-formed example; the minimum count is a fine-tuning report error.
    const dataset = await readyDataset(tenant.key, { examples: 5, evalFraction: 0 });
    const res = await createJob(tenant.key, run, { dataset: dataset.id, provider: "openai", base_model: BASE, validation: "none" });
    const error = expectError(res, 409, "conflict");
    expect(error.message).toContain("too_few_examples");
    expect(error.details.errors).toMatchObject({ total: 1, by_kind: { too_few_examples: 1 } });
    await expectNothingCreated(tenant.key, run);
  });

  it("answers 409 when validation is eval-split but the dataset has no eval split", async () => {
    const dataset = await readyDataset(tenant.key, { examples: 20, evalFraction: 0 });
    const res = await createJob(tenant.key, run, { dataset: dataset.id, provider: "openai", base_model: BASE, validation: "eval-split" });
    const error = expectError(res, 409, "conflict");
    expect(error.message).toMatch(/no eval split/);
    expect(error.message).toContain('validation: "none"');
    await expectNothingCreated(tenant.key, run);
  });
});

describe("POST /api/jobs refuses a bad provider, model or configuration", () => {
  let datasetId: string;
  beforeEach(async () => {
    datasetId = (await readyDataset(tenant.key, { examples: 20 })).id;
  });

  it("answers 400 for a provider it does not know", async () => {
    const res = await createJob(tenant.key, run, { dataset: datasetId, provider: "anthropic", base_model: BASE });
    const error = expectError(res, 400, "validation_failed");
    expect(error.details).toEqual([expect.objectContaining({ path: "provider" })]);
    await expectNothingCreated(tenant.key, run);
  });

  it("answers 400 listing the fine-tunable models when the provider cannot fine-tune the base model", async () => {
    const res = await createJob(tenant.key, run, { dataset: datasetId, provider: "openai", base_model: "gpt-4.1-2025-04-14-nope" });
    const error = expectError(res, 400, "bad_request");
    expect(error.details).toMatchObject({ field: "base_model" });
    expect(error.details.fine_tunable).toContain(BASE);
    expect(error.message).toContain(BASE);

    // A model the catalog knows, but another provider's.
    const other = await createJob(tenant.key, run, { dataset: datasetId, provider: "openai", base_model: "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference" });
    expect(expectError(other, 400, "bad_request").details.fine_tunable).toEqual(expect.arrayContaining([BASE, "gpt-4.1-mini-2025-04-14"]));
    await expectNothingCreated(tenant.key, run);
  });

  it("answers 400 naming OPENAI_API_KEY when the deployment has no OpenAI credentials, without a provider 401", async () => {
    const noOpenAI = { LOCAL_OPENAI: undefined, OPENAI_API_KEY: undefined, OPENAI_BASE_URL: undefined };
    const res = await apiWithEnv(noOpenAI, "/api/jobs", {
      method: "POST",
      key: tenant.key,
      json: { dataset: datasetId, provider: "openai", base_model: BASE },
      headers: { "X-Request-Id": `${run}:create` },
    });
    const error = expectError(res, 400, "bad_request");
    expect(error.message).toContain("OPENAI_API_KEY");
    expect(error.details).toMatchObject({ provider: "openai", missing: ["OPENAI_API_KEY"] });
    expect(res.text).not.toMatch(/401|Incorrect API key|invalid_api_key|unauthorized/i);

    const attach = await apiWithEnv(noOpenAI, "/api/jobs/attach", {
      method: "POST",
      key: tenant.key,
      json: { provider: "openai", provider_job_id: "ftjob-abc123" },
      headers: { "X-Request-Id": `${run}:attach` },
    });
    expect(expectError(attach, 400, "bad_request").message).toContain("OPENAI_API_KEY");
    expect(attach.text).not.toMatch(/401|Incorrect API key|invalid_api_key|unauthorized/i);
    await expectNothingCreated(tenant.key, run);
  });

  it("answers 400 for a hyperparameter out of the provider's range, naming the range", async () => {
    for (const hyperparameters of [{ n_epochs: 0 }, { n_epochs: 51 }, { learning_rate_multiplier: 100 }, { batch_size: -1 }]) {
      const res = await createJob(tenant.key, run, { dataset: datasetId, provider: "openai", base_model: BASE, hyperparameters });
      const error = expectError(res, 400, "bad_request");
      expect(error.message).toMatch(/must be between/);
      expect(error.details).toMatchObject({ field: "hyperparameters", ranges: { n_epochs: { min: 1, max: 50 } } });
    }
    await expectNothingCreated(tenant.key, run);
  });

  it("answers 400 for a hyperparameter the provider does not have, listing the ones it has", async () => {
    // Together's name for the learning rate is not OpenAI's.
    const res = await createJob(tenant.key, run, { dataset: datasetId, provider: "openai", base_model: BASE, hyperparameters: { learning_rate: 0.0001 } });
    const error = expectError(res, 400, "bad_request");
    expect(error.message).toContain("learning_rate is not a openai hyperparameter");
    expect(error.message).toContain("n_epochs, batch_size, learning_rate_multiplier");
    await expectNothingCreated(tenant.key, run);
  });

  it("answers 400 for a whole-number hyperparameter given a fraction, or a hyperparameter that is not a number", async () => {
    const fraction = await createJob(tenant.key, run, { dataset: datasetId, provider: "openai", base_model: BASE, hyperparameters: { n_epochs: 2.5 } });
    expect(expectError(fraction, 400, "bad_request").message).toContain("n_epochs must be a whole number");
    const text = await createJob(tenant.key, run, { dataset: datasetId, provider: "openai", base_model: BASE, hyperparameters: { n_epochs: "3" } });
    expect(expectError(text, 400, "validation_failed").details).toEqual([expect.objectContaining({ path: "hyperparameters.n_epochs" })]);
    await expectNothingCreated(tenant.key, run);
  });

  it("answers 409 naming Together and Fireworks once OpenAI's cutoff for new jobs has passed", async () => {
    const res = await apiWithEnv({ MODEL_CATALOG: JSON.stringify({ fine_tuning: { openai: { new_jobs_cutoff: "2026-01-01" } } }) }, "/api/jobs", {
      method: "POST",
      key: tenant.key,
      json: { dataset: datasetId, provider: "openai", base_model: BASE },
      headers: { "X-Request-Id": `${run}:create` },
    });
    const error = expectError(res, 409, "conflict");
    expect(error.message).toContain("2026-01-01");
    expect(error.message).toMatch(/together/);
    expect(error.message).toMatch(/fireworks/);
    expect(error.details).toEqual({ provider: "openai", cutoff: "2026-01-01", alternatives: ["together", "fireworks"] });
    await expectNothingCreated(tenant.key, run);
  });
  it("answers 409 on OpenAI's own cutoff day (2027-01-06, the catalog's date, read through the clock)", async () => {
    setClock("2027-01-06T00:00:00Z");
    const res = await createJob(tenant.key, run, { dataset: datasetId, provider: "openai", base_model: BASE });
    const error = expectError(res, 409, "conflict");
    expect(error.details).toEqual({ provider: "openai", cutoff: "2027-01-06", alternatives: ["together", "fireworks"] });
    await expectNothingCreated(tenant.key, run);
  });

  it("answers 400 naming the shutdown for a base that has retired, listing none once all have", async () => {
    // A catalog without the cutoff, so the base's own retirement is what refuses the job.
    setClock("2027-01-14T00:00:00Z");
    const res = await apiWithEnv({ MODEL_CATALOG: JSON.stringify({ fine_tuning: { openai: { new_jobs_cutoff: "2099-01-01" } } }) }, "/api/jobs", {
      method: "POST",
      key: tenant.key,
      json: { dataset: datasetId, provider: "openai", base_model: BASE },
      headers: { "X-Request-Id": `${run}:create` },
    });
    const error = expectError(res, 400, "bad_request");
    expect(error.message).toContain("shut down on 2027-01-14");
    expect(error.details).toMatchObject({ field: "base_model", retired_on: "2027-01-14", fine_tunable: [] });
    await expectNothingCreated(tenant.key, run);
  });
});

describe("POST /api/jobs refuses a webhook_url it must not call", () => {
  let datasetId: string;
  beforeEach(async () => {
    datasetId = (await readyDataset(tenant.key, { examples: 20 })).id;
  });

  const cases: Array<[string, string, string]> = [
    ["plain http", "http://hooks.example.com/distillery", "not_https"],
    ["localhost", "https://localhost/hook", "localhost"],
    ["a private IPv4 address", "https://10.0.0.1/hook", "private_address"],
    ["the IPv6 loopback", "https://[::1]/hook", "private_address"],
    ["the cloud metadata address", "https://169.254.169.254/latest/meta-data", "private_address"],
  ];
  for (const [what, url, reason] of cases) {
    it(`answers 400 (${reason}) for ${what}`, async () => {
      const res = await createJob(tenant.key, run, { dataset: datasetId, provider: "openai", base_model: BASE, webhook_url: url });
      const error = expectError(res, 400, "validation_failed");
      expect(error.details).toEqual([expect.objectContaining({ path: "webhook_url", reason })]);
      expect(res.text).not.toContain("whsec_");
      await expectNothingCreated(tenant.key, run);
    });
  }

  it("answers 400 (denied_host) for a host on the deployment's deny-list", async () => {
    const res = await apiWithEnv({ WEBHOOK_DENY_HOSTS: ".internal.example" }, "/api/jobs", {
      method: "POST",
      key: tenant.key,
      json: { dataset: datasetId, provider: "openai", base_model: BASE, webhook_url: "https://hooks.internal.example/distillery" },
      headers: { "X-Request-Id": `${run}:create` },
    });
    const error = expectError(res, 400, "validation_failed");
    expect(error.details).toEqual([expect.objectContaining({ path: "webhook_url", reason: "denied_host" })]);
    await expectNothingCreated(tenant.key, run);
  });

  it("answers 400 for a private webhook_url on attach, and tracks nothing", async () => {
    const providerJob = await emulatorJob(run);
    const res = await api("/api/jobs/attach", {
      method: "POST",
      key: tenant.key,
      json: { provider: "openai", provider_job_id: providerJob, webhook_url: "https://10.0.0.1/hook" },
      headers: { "X-Request-Id": `${run}:attach` },
    });
    expect(expectError(res, 400, "validation_failed").details).toEqual([expect.objectContaining({ path: "webhook_url", reason: "private_address" })]);
    expect(res.text).not.toContain("whsec_");
    expect((await api("/api/jobs", { key: tenant.key })).body.data).toEqual([]);
    // Checked before the provider is asked: an unknown provider job id still gets the 400.
    const unknown = await api("/api/jobs/attach", {
      method: "POST",
      key: tenant.key,
      json: { provider: "openai", provider_job_id: "ftjob-doesnotexist", webhook_url: "https://localhost/hook" },
    });
    expect(expectError(unknown, 400, "validation_failed").details).toEqual([expect.objectContaining({ path: "webhook_url", reason: "localhost" })]);
  });
});

describe("job routes refuse unknown jobs and malformed requests", () => {
  it("answers 404 to a cancel, or a read, of a job that does not exist", async () => {
    const cancel = await api("/api/jobs/ftj_doesnotexist/cancel", { method: "POST", key: tenant.key });
    expect(expectError(cancel, 404, "not_found").message).toContain("ftj_doesnotexist");
    expectError(await api("/api/jobs/ftj_doesnotexist", { key: tenant.key }), 404, "not_found");
  });

  it("answers 404 naming the id when attaching a provider job the provider does not know", async () => {
    const res = await api("/api/jobs/attach", {
      method: "POST",
      key: tenant.key,
      json: { provider: "openai", provider_job_id: "ftjob-doesnotexist" },
      headers: { "X-Request-Id": `${run}:attach` },
    });
    const error = expectError(res, 404, "not_found");
    expect(error.message).toContain("ftjob-doesnotexist");
    expect(error.details).toMatchObject({ provider: "openai", provider_job_id: "ftjob-doesnotexist" });
    await expectNothingCreated(tenant.key, run);
  });

  it("answers 400 invalid_json to a body that is not JSON", async () => {
    for (const path of ["/api/jobs", "/api/jobs/attach"]) {
      const res = await api(path, {
        method: "POST",
        key: tenant.key,
        headers: { "Content-Type": "application/json", "X-Request-Id": `${run}:bad-json` },
        body: '{"dataset": "x", "provider": ',
      });
      expectError(res, 400, "invalid_json");
    }
    await expectNothingCreated(tenant.key, run);
  });

  it("answers 400 naming the field for an unknown field or a missing one", async () => {
    const dataset = await readyDataset(tenant.key, { examples: 20 });
    const unknown = await createJob(tenant.key, run, { dataset: dataset.id, provider: "openai", base_model: BASE, epochs: 3 });
    const error = expectError(unknown, 400, "validation_failed");
    expect(JSON.stringify(error.details)).toContain("epochs");

    const missing = await createJob(tenant.key, run, { dataset: dataset.id, provider: "openai" });
    expect(expectError(missing, 400, "validation_failed").details).toEqual([expect.objectContaining({ path: "base_model" })]);

    const attach = await api("/api/jobs/attach", {
      method: "POST",
      key: tenant.key,
      json: { provider: "openai", provider_job_id: "ftjob-x", dataset: dataset.id },
      headers: { "X-Request-Id": `${run}:attach` },
    });
    expect(JSON.stringify(expectError(attach, 400, "validation_failed").details)).toContain("dataset");
    await expectNothingCreated(tenant.key, run);
  });
});
