import { env } from "cloudflare:workers";
import OpenAI, { toFile } from "openai";
import type { RunConfig, RunConfigInput } from "../../emulator/src/runs/config";
import type { RunStats } from "../../emulator/src/runs/store";

export type { RunConfigInput, RunStats };

/** The emulator's origin as the tests address it (the host is ignored by the service binding). */
export const EMULATOR_ORIGIN = "http://local-openai";

function binding(): Fetcher {
  if (!env.LOCAL_OPENAI) throw new Error("LOCAL_OPENAI service binding is missing (vitest.config.ts auxiliary worker)");
  return env.LOCAL_OPENAI;
}

/** A fetch that reaches the emulator Worker through the LOCAL_OPENAI service binding. */
export const emulatorFetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => binding().fetch(input, init);

/** Raw request to the emulator, path relative to its origin ("/v1/models", "/_emulator/runs/x"). */
export function callEmulator(path: string, init?: RequestInit): Promise<Response> {
  return emulatorFetch(`${EMULATOR_ORIGIN}${path}`, init);
}

/** The official SDK pointed at the emulator; `run` scopes it with X-Emulator-Run. */
export function emulatorClient(run?: string, headers: Record<string, string> = {}): OpenAI {
  return new OpenAI({
    apiKey: "sk-emulator-test",
    baseURL: `${EMULATOR_ORIGIN}/v1`,
    fetch: emulatorFetch,
    maxRetries: 0,
    defaultHeaders: { ...(run ? { "X-Emulator-Run": run } : {}), ...headers },
  });
}

async function json<T>(res: Response): Promise<T> {
  const body = await res.text();
  if (!res.ok) throw new Error(`emulator control call failed: ${res.status} ${body}`);
  return JSON.parse(body) as T;
}

export interface RunDescription {
  run: string;
  configured: boolean;
  config: RunConfig;
  clock: { now_ms: number; speed: number };
  stats: RunStats;
}

/** Replaces a run's configuration (PUT /_emulator/runs/:run). */
export async function configureRun(run: string, config: RunConfigInput = {}): Promise<RunDescription> {
  return json(await callEmulator(`/_emulator/runs/${encodeURIComponent(run)}`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(config) }));
}

/** Advances the run's emulated clock; returns its new reading (ms). */
export async function advanceClock(run: string, ms: number): Promise<number> {
  const res = await json<{ now_ms: number }>(
    await callEmulator(`/_emulator/runs/${encodeURIComponent(run)}/clock/advance`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ms }) }),
  );
  return res.now_ms;
}

/** Request counts per endpoint, injected faults by status, tokens used. */
export async function runStats(run: string): Promise<RunStats> {
  return json(await callEmulator(`/_emulator/runs/${encodeURIComponent(run)}/stats`));
}

export interface FileValidation {
  valid: boolean;
  examples: number;
  tokens: number;
  errors: Array<{ line: number | null; message: string }>;
}

/** Validates an uploaded file as a chat fine-tuning file, as the emulator's jobs do. */
export async function validateFile(fileId: string): Promise<FileValidation> {
  return json(await callEmulator(`/_emulator/files/${encodeURIComponent(fileId)}/validation`));
}

/** Control: fail a fine-tuning job now, or hold/release it in `running`. */
export async function failJob(jobId: string, message: string): Promise<unknown> {
  return json(await callEmulator(`/_emulator/fine_tuning/jobs/${jobId}/fail`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ message }) }));
}

export async function holdJob(jobId: string, hold: boolean): Promise<unknown> {
  return json(await callEmulator(`/_emulator/fine_tuning/jobs/${jobId}/hold`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ hold }) }));
}

/** A run name no other test uses. */
export function uniqueRun(prefix = "run"): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
}

export interface EmulatorJobSummary {
  provider: "openai" | "together" | "fireworks";
  id: string;
  run: string;
  status: string;
  engine_status: string;
  model: string;
  output_model: string;
}

/** Every fine-tuning job the emulator holds for one provider (optionally one run), newest first. */
export async function listEmulatorJobs(provider: EmulatorJobSummary["provider"], run?: string): Promise<EmulatorJobSummary[]> {
  const query = new URLSearchParams({ provider, ...(run ? { run } : {}) });
  return (await json<{ data: EmulatorJobSummary[] }>(await callEmulator(`/_emulator/fine_tuning/jobs?${query}`))).data;
}

/** A JSON (or multipart, for FormData) request to a provider's emulated API, scoped to `run`. */
export async function providerCall(run: string, method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { authorization: "Bearer emulator-test", "x-emulator-run": run };
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers["content-type"] = "application/json";
    payload = JSON.stringify(body);
  }
  return callEmulator(path, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
}

/**
 * A student fine-tuned in the emulator on `examples` rows (its profile moves toward the teacher with
 * that count: emulator README, "Model profiles"): the succeeded model's name. The job runs in its
 * own frozen run, advanced past its end.
 */
export async function trainEmulatorStudent(base: string, examples: number): Promise<string> {
  const run = uniqueRun("student");
  await configureRun(run, { clock: { speed: 0 } });
  const c = emulatorClient(run);
  const lines = Array.from({ length: examples }, (_, i) =>
    JSON.stringify({ messages: [{ role: "user", content: `What is fact number ${i}?` }, { role: "assistant", content: `Fact ${i} is that the sky is blue on day ${i}.` }] }),
  );
  const file = await c.files.create({ file: await toFile(new TextEncoder().encode(lines.join("\n")), "train.jsonl"), purpose: "fine-tune" });
  const job = await c.fineTuning.jobs.create({ model: base, training_file: file.id });
  await advanceClock(run, 10 * 3_600_000);
  const done = await c.fineTuning.jobs.retrieve(job.id);
  if (done.status !== "succeeded" || !done.fine_tuned_model) throw new Error(`the emulator's fine-tune did not succeed: ${done.status}`);
  return done.fine_tuned_model;
}
