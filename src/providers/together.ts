import type OpenAI from "openai";
import { z } from "zod";
import { ApiError } from "../errors";
import { sha256Hex } from "../lib/ids";
import { callProvider, type ClientEnv } from "../llm";
import {
  callForJob,
  callUpload,
  controlClient,
  DEFAULT_UPLOAD_TIMEOUT_MS,
  type FineTuneProviderOptions,
  isoSeconds,
  isStatus,
  parseUpstream,
  jobPathSegment,
} from "./http";
import { multipartBody } from "./multipart";
import {
  type CreateJobInput,
  type FineTuneProvider,
  type ProviderEvent,
  type ProviderJob,
  type ProviderJobStatus,
  TERMINAL_STATUSES,
  type UploadedFile,
  type UploadInput,
} from "./types";

const PROVIDER = "together";
/** together-python: "up to 40 character suffix that will be added to your fine-tuned model name". */
const SUFFIX_MAX = 40;
/** Together's default LoRA rank, used when the hyperparameters name none. */
const DEFAULT_LORA_R = 8;

/**
 * Together's statuses → ours. `pending` (accepted, waiting for its turn) reads as queued: Together
 * validates files at upload, not as a job phase. `compressing`/`uploading` are the trained
 * model's write-out, and `cancel_requested` is not final yet: all three read as running.
 */
const STATUS: Record<string, ProviderJobStatus> = {
  pending: "queued",
  queued: "queued",
  running: "running",
  compressing: "running",
  uploading: "running",
  cancel_requested: "running",
  cancelled: "cancelled",
  error: "failed",
  user_error: "failed",
  completed: "succeeded",
};

const timestamp = z.union([z.string(), z.number()]).nullish();
const eventSchema = z.looseObject({
  created_at: timestamp,
  level: z.string().nullish(),
  message: z.string().nullish(),
  type: z.string().nullish(),
  hash: z.string().nullish(),
});
const jobSchema = z.looseObject({
  id: z.string(),
  status: z.string(),
  model: z.string().nullish(),
  model_output_name: z.string().nullish(),
  output_name: z.string().nullish(),
  suffix: z.string().nullish(),
  created_at: timestamp,
  updated_at: timestamp,
  token_count: z.number().nullish(),
  n_epochs: z.number().nullish(),
  events: z.array(eventSchema).nullish(),
  // Inferred, not in the SDK's FinetuneResponse type we checked (together-typescript
  // src/resources/fine-tuning.ts lists no progress field): `{estimate_available, seconds_remaining}`
  // as the emulator renders it. Read only when present; without it polling keeps its steady minute.
  progress: z.looseObject({ estimate_available: z.boolean().nullish(), seconds_remaining: z.number().nullish() }).nullish(),
});
type TogetherJob = z.infer<typeof jobSchema>;
const listSchema = z.looseObject({ data: z.array(z.unknown()).nullish() });
const eventListSchema = z.looseObject({ data: z.array(eventSchema).nullish() });
const fileSchema = z.looseObject({ id: z.string() });

/**
 * Fine-tuning on Together (`/files/upload`, `/fine-tunes`). Together keeps no metadata on a job,
 * so the key travels in the suffix (`<suffix>-d<hash of key>`) and findJob looks for it there.
 * A fine-tune is served only once deployed to a dedicated endpoint.
 */
export class TogetherFineTuneProvider implements FineTuneProvider {
  readonly name = PROVIDER;
  readonly inferenceProvider = PROVIDER;
  readonly servableOnSuccess = false;
  private readonly client: OpenAI;
  private readonly uploadTimeoutMs: number;

  constructor(env: ClientEnv, opts: FineTuneProviderOptions) {
    this.client = controlClient(env, PROVIDER, opts);
    this.uploadTimeoutMs = opts.uploadTimeoutMs ?? DEFAULT_UPLOAD_TIMEOUT_MS;
  }

  /** One streamed multipart `POST /files/upload` (Together's multipart-upload API is not used). */
  async uploadTrainingFile(input: UploadInput): Promise<UploadedFile> {
    const form = multipartBody([
      { name: "file_name", value: input.filename },
      { name: "purpose", value: "fine-tune" },
      { name: "file_type", value: "jsonl" },
      { name: "file", filename: input.filename, contentType: "application/jsonl", bytes: input.bytes, stream: await input.open() },
    ]);
    const request = { body: form.body, headers: { "Content-Type": form.contentType }, timeout: this.uploadTimeoutMs };
    const file = await callUpload(PROVIDER, form, () => this.client.post("/files/upload", request));
    return { id: parseUpstream(fileSchema, file, PROVIDER, "file").id, bytes: input.bytes };
  }

  async createJob(input: CreateJobInput): Promise<ProviderJob> {
    const h = input.hyperparameters;
    const loraR = h.lora_r ?? DEFAULT_LORA_R;
    const body = {
      model: input.baseModel,
      training_file: input.trainingFile,
      ...(input.validationFile ? { validation_file: input.validationFile } : {}),
      ...(h.n_epochs !== undefined ? { n_epochs: h.n_epochs } : {}),
      ...(h.learning_rate !== undefined ? { learning_rate: h.learning_rate } : {}),
      ...(h.batch_size !== undefined ? { batch_size: h.batch_size } : {}),
      suffix: await keyedSuffix(input.key, input.suffix),
      ...(input.seed !== null ? { random_seed: input.seed } : {}),
      // lora_alpha: the caller's, else 2 × rank, the usual scaling (and Together's SDK default).
      training_type: input.lora ? { type: "Lora", lora_r: loraR, lora_alpha: h.lora_alpha ?? 2 * loraR } : { type: "Full" },
      training_method: { method: "sft" },
    };
    const job = await callProvider(PROVIDER, () => this.client.post("/fine-tunes", { body }));
    return { ...toJob(parseUpstream(jobSchema, job, PROVIDER, "fine-tune job")), key: input.key };
  }

  /** Scans `GET /fine-tunes` (one answer, every job of the account) for the key's suffix tag. */
  async findJob(key: string): Promise<ProviderJob | null> {
    const tag = await keyTag(key);
    const list = parseUpstream(listSchema, await callProvider(PROVIDER, () => this.client.get("/fine-tunes")), PROVIDER, "fine-tune list");
    const matches = (list.data ?? [])
      .map((item) => jobSchema.safeParse(item))
      .flatMap((parsed) => (parsed.success ? [parsed.data] : []))
      .filter((job) => (job.suffix ?? "").endsWith(tag) || (job.model_output_name ?? job.output_name ?? "").includes(tag))
      .map((job) => ({ ...toJob(job), key }))
      .sort((a, b) => (b.created_at ?? 0) - (a.created_at ?? 0));
    return matches.find((j) => j.status !== "failed" && j.status !== "cancelled") ?? matches[0] ?? null;
  }

  async getJob(id: string): Promise<ProviderJob> {
    const job = await callForJob(PROVIDER, id, () => this.client.get(`/fine-tunes/${jobPathSegment(PROVIDER, id)}`));
    return toJob(parseUpstream(jobSchema, job, PROVIDER, "fine-tune job"));
  }

  /** Together's events carry no id: each gets the event's `hash` or one derived from its content. */
  async listEvents(id: string, after: string | null = null): Promise<ProviderEvent[]> {
    const raw = await callForJob(PROVIDER, id, () => this.client.get(`/fine-tunes/${jobPathSegment(PROVIDER, id)}/events`));
    const events = await toEvents(parseUpstream(eventListSchema, raw, PROVIDER, "event list").data ?? []);
    const seen = after ? events.findIndex((e) => e.id === after) : -1;
    // An `after` not found (events rewritten upstream) returns everything rather than lose any.
    return events.slice(seen + 1);
  }

  /** Cancels; a job that has already finished is returned as it is. */
  async cancel(id: string): Promise<ProviderJob> {
    try {
      const job = await callForJob(PROVIDER, id, () => this.client.post(`/fine-tunes/${jobPathSegment(PROVIDER, id)}/cancel`));
      return toJob(parseUpstream(jobSchema, job, PROVIDER, "fine-tune job"));
    } catch (err) {
      const cause = err instanceof ApiError ? err.cause : undefined;
      if (!isStatus(cause, 400) && !isStatus(cause, 409)) throw err;
      const job = await this.getJob(id);
      if (TERMINAL_STATUSES.has(job.status)) return job;
      throw err;
    }
  }
}

/** `d` + 12 hex digits of the key's SHA-256: what findJob looks for. */
async function keyTag(key: string): Promise<string> {
  return `d${(await sha256Hex(key)).slice(0, 12)}`;
}

/** The caller's suffix (as `[a-z0-9-]`, shortened) then the key's tag, within Together's 40 characters. */
export async function keyedSuffix(key: string, suffix: string | null): Promise<string> {
  const tag = await keyTag(key);
  const room = SUFFIX_MAX - tag.length - 1;
  const slug = (suffix ?? "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+/, "")
    .slice(0, room)
    .replace(/-+$/, "");
  return slug ? `${slug}-${tag}` : tag;
}

function toJob(job: TogetherJob): ProviderJob {
  const status = STATUS[job.status] ?? "running";
  const succeeded = status === "succeeded";
  const failure = status === "failed" ? [...(job.events ?? [])].reverse().find((e) => levelOf(e) === "error" && e.message) : undefined;
  return {
    id: job.id,
    status,
    provider_status: job.status,
    base_model: job.model ?? "",
    fine_tuned_model: succeeded ? (job.model_output_name ?? job.output_name ?? null) : null,
    trained_tokens: succeeded && job.token_count != null ? job.token_count * (job.n_epochs ?? 1) : null,
    error: status === "failed" ? { code: job.status, message: failure?.message ?? `The Together job ended with status ${job.status}.` } : null,
    created_at: seconds(job.created_at),
    finished_at: TERMINAL_STATUSES.has(status) ? seconds(job.updated_at) : null,
    estimated_finish: estimatedFinish(job, status),
    // The key itself cannot be read back, only its tag: enough to tell a job Distillery created.
    key: distilleryTag(job),
  };
}

/** Unix seconds at which Together expects the job to end: now plus its seconds remaining, while it gives an estimate. */
function estimatedFinish(job: TogetherJob, status: ProviderJob["status"]): number | null {
  const p = job.progress;
  if (TERMINAL_STATUSES.has(status) || !p?.estimate_available || typeof p.seconds_remaining !== "number" || p.seconds_remaining <= 0) return null;
  // Date.now(), not the clock seam: the poll cadence compares it with the real time the provider keeps.
  return Math.floor(Date.now() / 1000) + p.seconds_remaining;
}

/** `tag:d…` when the job's suffix (or output name) carries a key's tag, else null. */
function distilleryTag(job: TogetherJob): string | null {
  const m = /(?:^|-)(d[0-9a-f]{12})(?:$|-)/.exec(job.suffix ?? job.model_output_name ?? job.output_name ?? "");
  return m ? `tag:${m[1]}` : null;
}

async function toEvents(raw: Array<z.infer<typeof eventSchema>>): Promise<ProviderEvent[]> {
  // Oldest first whatever order Together answers in (a stable sort keeps ties as given).
  const sorted = raw.map((e, i) => ({ e, i, t: seconds(e.created_at) ?? 0 })).sort((a, b) => a.t - b.t || a.i - b.i);
  const occurrences = new Map<string, number>();
  const out: ProviderEvent[] = [];
  for (const { e, t } of sorted) {
    const content = `${e.created_at ?? ""}|${e.type ?? ""}|${e.message ?? ""}`;
    const n = occurrences.get(content) ?? 0;
    occurrences.set(content, n + 1);
    const id = e.hash || `tev-${(await sha256Hex(`${content}|${n}`)).slice(0, 24)}`;
    out.push({ id, created_at: t, level: levelOf(e), message: e.message ?? e.type ?? "", type: e.type ?? null });
  }
  return out;
}

/** Together's levels are `Info`/`Warning`/`Error` (or lower-case, or empty); error types count too. */
function levelOf(e: z.infer<typeof eventSchema>): ProviderEvent["level"] {
  const level = (e.level ?? "").toLowerCase();
  if (level === "error" || /ERROR$/.test(e.type ?? "")) return "error";
  if (level === "warning" || level === "warn") return "warn";
  return "info";
}

function seconds(value: string | number | null | undefined): number | null {
  if (typeof value === "number") return value > 1e12 ? Math.floor(value / 1000) : value;
  return isoSeconds(value);
}
