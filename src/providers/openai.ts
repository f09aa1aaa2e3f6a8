import type OpenAI from "openai";
import { z } from "zod";
import { ApiError } from "../errors";
import { callProvider, type ClientEnv } from "../llm";
import {
  callForJob,
  callUpload,
  controlClient,
  DEFAULT_UPLOAD_TIMEOUT_MS,
  type FineTuneProviderOptions,
  isStatus,
  parseUpstream,
  uploadError,
  jobPathSegment,
} from "./http";
import { type MultipartBody, multipartBody, StreamSlicer } from "./multipart";
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

const PROVIDER = "openai";
/** OpenAI's limit for one `POST /files` request; larger files go through the Uploads API. */
export const OPENAI_SINGLE_UPLOAD_BYTES = 512 * 1024 * 1024;
/** The Uploads API's largest part. */
export const OPENAI_MAX_PART_BYTES = 64 * 1024 * 1024;
/** https://platform.openai.com/docs/api-reference/fine-tuning/create: `suffix` up to 64 characters. */
const SUFFIX_MAX = 64;
const EVENT_PAGE = 100;
/** Pages of events read per listEvents call: with 100 a page, the newest 1,000 events at most. */
const EVENT_PAGES_MAX = 10;
const HYPERPARAMETERS = ["n_epochs", "batch_size", "learning_rate_multiplier"] as const;

/** OpenAI's status → ours (the same vocabulary but `validating_files`). */
const STATUS: Record<string, ProviderJobStatus> = {
  validating_files: "validating",
  queued: "queued",
  running: "running",
  succeeded: "succeeded",
  failed: "failed",
  cancelled: "cancelled",
};

const jobSchema = z.looseObject({
  id: z.string(),
  status: z.string(),
  model: z.string(),
  fine_tuned_model: z.string().nullish(),
  trained_tokens: z.number().nullish(),
  error: z.looseObject({ code: z.string().nullish(), message: z.string().nullish() }).nullish(),
  created_at: z.number().nullish(),
  finished_at: z.number().nullish(),
  // Unix seconds; null unless the job is running (the API reference's fine_tuning.job object).
  estimated_finish: z.number().nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
});
const jobListSchema = z.looseObject({ data: z.array(jobSchema) });
const eventSchema = z.looseObject({
  id: z.string(),
  created_at: z.number(),
  level: z.string().nullish(),
  message: z.string(),
  type: z.string().nullish(),
});
const eventListSchema = z.looseObject({ data: z.array(eventSchema), has_more: z.boolean().optional() });
const fileSchema = z.looseObject({ id: z.string(), bytes: z.number().nullish() });
const uploadSchema = z.looseObject({ id: z.string(), status: z.string().optional(), file: fileSchema.nullish() });
const partSchema = z.looseObject({ id: z.string() });

/** Fine-tuning on OpenAI (`/v1/files`, `/v1/uploads`, `/v1/fine_tuning/jobs`); models are callable at once. */
export class OpenAIFineTuneProvider implements FineTuneProvider {
  readonly name = PROVIDER;
  readonly inferenceProvider = PROVIDER;
  readonly servableOnSuccess = true;
  private readonly client: OpenAI;
  private readonly uploadTimeoutMs: number;
  private readonly largeFileBytes: number;
  private readonly partBytes: number;
  private readonly eventPage: number;

  constructor(env: ClientEnv, opts: FineTuneProviderOptions) {
    this.client = controlClient(env, PROVIDER, opts);
    this.uploadTimeoutMs = opts.uploadTimeoutMs ?? DEFAULT_UPLOAD_TIMEOUT_MS;
    this.largeFileBytes = opts.largeFileBytes ?? OPENAI_SINGLE_UPLOAD_BYTES;
    this.partBytes = Math.min(opts.partBytes ?? OPENAI_MAX_PART_BYTES, OPENAI_MAX_PART_BYTES);
    this.eventPage = opts.eventPageSize ?? EVENT_PAGE;
  }

  async uploadTrainingFile(input: UploadInput): Promise<UploadedFile> {
    const id = input.bytes > this.largeFileBytes ? await this.uploadInParts(input) : await this.uploadWhole(input);
    return { id, bytes: input.bytes };
  }

  /** One streamed `POST /files`. */
  private async uploadWhole(input: UploadInput): Promise<string> {
    const stream = await input.open();
    const form = multipartBody([
      { name: "purpose", value: "fine-tune" },
      { name: "file", filename: input.filename, contentType: "application/jsonl", bytes: input.bytes, stream },
    ]);
    const file = await this.post("/files", form);
    return parseUpstream(fileSchema, file, PROVIDER, "file").id;
  }

  /** The Uploads API: create, parts of ≤ 64 MB cut from the stream as it is read, complete. */
  private async uploadInParts(input: UploadInput): Promise<string> {
    const created = await callProvider(PROVIDER, () =>
      this.client.post("/uploads", {
        body: { purpose: "fine-tune", filename: input.filename, bytes: input.bytes, mime_type: "text/jsonl" },
      }),
    );
    const upload = parseUpstream(uploadSchema, created, PROVIDER, "upload");
    const slicer = new StreamSlicer(await input.open());
    const partIds: string[] = [];
    try {
      for (let offset = 0; offset < input.bytes; offset += this.partBytes) {
        const bytes = Math.min(this.partBytes, input.bytes - offset);
        const form = multipartBody([{ name: "data", filename: `part-${partIds.length + 1}`, bytes, stream: slicer.next(bytes) }]);
        const part = await this.post(`/uploads/${upload.id}/parts`, form);
        partIds.push(parseUpstream(partSchema, part, PROVIDER, "upload part").id);
      }
      await slicer.end();
    } catch (err) {
      await slicer.cancel();
      // Best effort: an abandoned upload expires on its own after an hour.
      await this.client.post(`/uploads/${upload.id}/cancel`).catch(() => undefined);
      throw uploadError(err, PROVIDER);
    }
    const completed = await callProvider(PROVIDER, () =>
      this.client.post(`/uploads/${upload.id}/complete`, { body: { part_ids: partIds } }),
    );
    const file = parseUpstream(uploadSchema, completed, PROVIDER, "upload").file;
    if (!file) throw new ApiError("upstream_error", `openai completed upload ${upload.id} without a file.`, { details: { provider: PROVIDER }, retryable: false });
    return file.id;
  }

  private post(path: string, form: MultipartBody): Promise<unknown> {
    const request = { body: form.body, headers: { "Content-Type": form.contentType }, timeout: this.uploadTimeoutMs };
    return callUpload(PROVIDER, form, () => this.client.post(path, request));
  }

  async createJob(input: CreateJobInput): Promise<ProviderJob> {
    const hyperparameters = Object.fromEntries(HYPERPARAMETERS.flatMap((k) => (input.hyperparameters[k] === undefined ? [] : [[k, input.hyperparameters[k]]])));
    const body = {
      model: input.baseModel,
      training_file: input.trainingFile,
      ...(input.validationFile ? { validation_file: input.validationFile } : {}),
      method: { type: "supervised", supervised: { hyperparameters } },
      ...(input.suffix ? { suffix: input.suffix.slice(0, SUFFIX_MAX) } : {}),
      ...(input.seed !== null ? { seed: input.seed } : {}),
      metadata: { distillery_job: input.key },
    };
    const job = await callProvider(PROVIDER, () => this.client.post("/fine_tuning/jobs", { body }));
    return toJob(parseUpstream(jobSchema, job, PROVIDER, "fine-tuning job"));
  }

  /** Jobs listed by `metadata[distillery_job]`; checked again here in case a filter is ignored. */
  async findJob(key: string): Promise<ProviderJob | null> {
    const list = await callProvider(PROVIDER, () =>
      this.client.get("/fine_tuning/jobs", { query: { metadata: { distillery_job: key }, limit: 100 } }),
    );
    const jobs = parseUpstream(jobListSchema, list, PROVIDER, "fine-tuning job list")
      .data.filter((j) => j.metadata?.distillery_job === key)
      .map(toJob);
    // Newest first; a live or successful job wins over a later failed duplicate.
    return jobs.find((j) => j.status !== "failed" && j.status !== "cancelled") ?? jobs[0] ?? null;
  }

  async getJob(id: string): Promise<ProviderJob> {
    const { data: job, response } = await callForJob(PROVIDER, id, () => this.client.get(`/fine_tuning/jobs/${jobPathSegment(PROVIDER, id)}`).withResponse());
    const parsed = toJob(parseUpstream(jobSchema, job, PROVIDER, "fine-tuning job"));
    return { ...parsed, estimated_finish: onOurClock(parsed.estimated_finish ?? null, response.headers.get("date")) };
  }

  /**
   * OpenAI lists events newest first, and its `after` cursor walks towards older ones. This
   * pages from the newest until it meets `after` (or runs out, or has read 1,000) and returns
   * what is newer than `after`, oldest first.
   */
  async listEvents(id: string, after: string | null = null): Promise<ProviderEvent[]> {
    const newestFirst: ProviderEvent[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < EVENT_PAGES_MAX; page++) {
      const query = { limit: this.eventPage, ...(cursor ? { after: cursor } : {}) };
      const raw = await callForJob(PROVIDER, id, () => this.client.get(`/fine_tuning/jobs/${jobPathSegment(PROVIDER, id)}/events`, { query }));
      const { data, has_more } = parseUpstream(eventListSchema, raw, PROVIDER, "event list");
      for (const event of data) {
        if (event.id === after) return newestFirst.reverse();
        newestFirst.push(toEvent(event));
      }
      const last = data[data.length - 1];
      if (!has_more || !last) break;
      cursor = last.id;
    }
    return newestFirst.reverse();
  }

  /** Cancels; a job that has already finished is returned as it is (OpenAI answers 400). */
  async cancel(id: string): Promise<ProviderJob> {
    try {
      const job = await callForJob(PROVIDER, id, () => this.client.post(`/fine_tuning/jobs/${jobPathSegment(PROVIDER, id)}/cancel`));
      return toJob(parseUpstream(jobSchema, job, PROVIDER, "fine-tuning job"));
    } catch (err) {
      if (!(err instanceof ApiError) || !isStatus(err.cause, 400)) throw err;
      const job = await this.getJob(id);
      if (TERMINAL_STATUSES.has(job.status)) return job;
      throw err;
    }
  }
}

function toJob(job: z.infer<typeof jobSchema>): ProviderJob {
  const status = STATUS[job.status] ?? "running";
  return {
    id: job.id,
    status,
    provider_status: job.status,
    base_model: job.model,
    fine_tuned_model: job.fine_tuned_model ?? null,
    trained_tokens: job.trained_tokens ?? null,
    error: job.error?.message ? { code: job.error.code ?? null, message: job.error.message } : null,
    created_at: job.created_at ?? null,
    finished_at: job.finished_at ?? null,
    estimated_finish: job.estimated_finish ?? null,
    key: job.metadata?.distillery_job ?? null,
  };
}

/**
 * `estimated_finish` is an instant on OpenAI's clock; read against its response's Date header it
 * becomes a time remaining, placed on ours (Date.now(), as the poll cadence compares): a skew
 * between the two clocks then moves no poll. Without a Date header it is taken as it is.
 */
function onOurClock(estimatedFinish: number | null, date: string | null): number | null {
  const serverMs = date ? Date.parse(date) : Number.NaN;
  if (estimatedFinish === null || !Number.isFinite(serverMs)) return estimatedFinish;
  return Math.round(Date.now() / 1000 + (estimatedFinish - serverMs / 1000));
}

function toEvent(event: z.infer<typeof eventSchema>): ProviderEvent {
  const level = event.level === "warn" || event.level === "error" ? event.level : "info";
  return { id: event.id, created_at: event.created_at, level, message: event.message, type: event.type ?? null };
}
