import type OpenAI from "openai";
import { z } from "zod";
import { ApiError } from "../errors";
import { callProvider, type ClientEnv, type FetchLike, mapProviderError, resolveEndpoint } from "../llm";
import {
  callForJob,
  callUpload,
  controlClient,
  DEFAULT_UPLOAD_TIMEOUT_MS,
  derivedId,
  type FineTuneProviderOptions,
  isoSeconds,
  isStatus,
  parseUpstream,
  jobPathSegment,
} from "./http";
import { multipartBody, sizedBody } from "./multipart";
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

const PROVIDER = "fireworks";
/** docs.fireworks.ai: `:upload` takes files under 150 MB; larger ones go through a signed URL. */
export const FIREWORKS_SINGLE_UPLOAD_BYTES = 150 * 1024 * 1024;
/** Fireworks resource ids: `[a-z0-9-]`, at most 63 characters. */
const ID_MAX = 63;

/**
 * Fireworks' job states → ours. CREATING/PENDING wait for capacity (queued); VALIDATING checks
 * the dataset; WRITING_RESULTS and CANCELLING are not final yet (running); EARLY_STOPPED
 * stopped on its evaluation loss but wrote a model (succeeded); EXPIRED never ran (failed);
 * DELETING will never produce a model (cancelled). Unknown states read as running.
 */
const STATE: Record<string, ProviderJobStatus> = {
  JOB_STATE_UNSPECIFIED: "queued",
  JOB_STATE_CREATING: "queued",
  JOB_STATE_PENDING: "queued",
  JOB_STATE_VALIDATING: "validating",
  JOB_STATE_RUNNING: "running",
  JOB_STATE_WRITING_RESULTS: "running",
  JOB_STATE_CANCELLING: "running",
  JOB_STATE_COMPLETED: "succeeded",
  JOB_STATE_EARLY_STOPPED: "succeeded",
  JOB_STATE_FAILED: "failed",
  JOB_STATE_FAILED_CLEANING_UP: "failed",
  JOB_STATE_EXPIRED: "failed",
  JOB_STATE_CANCELLED: "cancelled",
  JOB_STATE_DELETING: "cancelled",
};

const datasetSchema = z.looseObject({ name: z.string().optional(), state: z.string().nullish() });
const uploadEndpointSchema = z.looseObject({ filenameToSignedUrls: z.record(z.string(), z.string()) });
const jobSchema = z.looseObject({
  name: z.string(),
  displayName: z.string().nullish(),
  state: z.string().nullish(),
  status: z.looseObject({ code: z.union([z.string(), z.number()]).nullish(), message: z.string().nullish() }).nullish(),
  baseModel: z.string().nullish(),
  outputModel: z.string().nullish(),
  createTime: z.string().nullish(),
  completedTime: z.string().nullish(),
});

/**
 * Fine-tuning on Fireworks: a dataset per upload, a supervised fine-tuning job per key, both
 * under ids derived from the caller's key, so repeating either finds what exists (409 → get).
 * A trained LoRA is served only on a deployment.
 */
export class FireworksFineTuneProvider implements FineTuneProvider {
  readonly name = PROVIDER;
  readonly inferenceProvider = PROVIDER;
  readonly servableOnSuccess = false;
  private readonly client: OpenAI;
  private readonly fetch: FetchLike;
  private readonly account: string;
  private readonly uploadTimeoutMs: number;
  private readonly largeFileBytes: number;

  constructor(env: ClientEnv, opts: FineTuneProviderOptions) {
    this.client = controlClient(env, PROVIDER, opts);
    const endpoint = resolveEndpoint(env, PROVIDER, "control");
    if (!endpoint.accountId) {
      throw new ApiError("bad_request", 'Provider "fireworks" is not configured: set FIREWORKS_ACCOUNT_ID.', {
        details: { provider: PROVIDER, missing: ["FIREWORKS_ACCOUNT_ID"] },
      });
    }
    this.account = endpoint.accountId;
    // Signed upload URLs get the plain fetch: the API key must not travel to a storage host.
    this.fetch = opts.wrapFetch ? opts.wrapFetch(endpoint.fetch) : endpoint.fetch;
    this.uploadTimeoutMs = opts.uploadTimeoutMs ?? DEFAULT_UPLOAD_TIMEOUT_MS;
    this.largeFileBytes = opts.largeFileBytes ?? FIREWORKS_SINGLE_UPLOAD_BYTES;
  }

  private path(rest: string): string {
    return `/v1/accounts/${encodeURIComponent(this.account)}/${rest}`;
  }

  /** Creates the dataset (or finds it: a READY one is done), then uploads into it. Returns its name. */
  async uploadTrainingFile(input: UploadInput): Promise<UploadedFile> {
    const datasetId = await derivedId(input.key, ID_MAX, "ds-");
    const name = `accounts/${this.account}/datasets/${datasetId}`;
    let dataset: unknown;
    try {
      dataset = await this.client.post(this.path("datasets"), { body: { datasetId, dataset: { userUploaded: {}, format: "CHAT" } } });
    } catch (err) {
      if (!isStatus(err, 409)) throw mapProviderError(err, PROVIDER);
      dataset = await callProvider(PROVIDER, () => this.client.get(`/v1/${name}`));
    }
    if (parseUpstream(datasetSchema, dataset, PROVIDER, "dataset").state === "READY") return { id: name, bytes: input.bytes };

    if (input.bytes < this.largeFileBytes) {
      const stream = await input.open();
      const form = multipartBody([{ name: "file", filename: input.filename, contentType: "application/jsonl", bytes: input.bytes, stream }]);
      const request = { body: form.body, headers: { "Content-Type": form.contentType }, timeout: this.uploadTimeoutMs };
      await callUpload(PROVIDER, form, () => this.client.post(`/v1/${name}:upload`, request));
    } else {
      await this.uploadBySignedUrl(name, input);
    }
    return { id: name, bytes: input.bytes };
  }

  /** `:getUploadEndpoint`, a PUT of the stream to the signed URL, then `:validateUpload`. */
  private async uploadBySignedUrl(name: string, input: UploadInput): Promise<void> {
    const body = { filenameToSize: { [input.filename]: String(input.bytes) } };
    const answer = await callProvider(PROVIDER, () => this.client.post(`/v1/${name}:getUploadEndpoint`, { body }));
    const url = parseUpstream(uploadEndpointSchema, answer, PROVIDER, "upload endpoint").filenameToSignedUrls[input.filename];
    if (!url) throw new ApiError("upstream_error", `fireworks gave no upload URL for ${input.filename}.`, { details: { provider: PROVIDER }, retryable: false });
    const sized = sizedBody(await input.open(), input.bytes);
    const res = await callUpload(PROVIDER, sized, () =>
      this.fetch(url, {
        method: "PUT",
        body: sized.body,
        headers: { "Content-Type": "application/octet-stream", "X-Goog-Content-Length-Range": `${input.bytes},${input.bytes}` },
        signal: AbortSignal.timeout(this.uploadTimeoutMs),
      }),
    );
    if (!res.ok) {
      const text = (await res.text()).slice(0, 300);
      throw new ApiError(res.status === 429 ? "rate_limited" : "upstream_error", `The fireworks upload URL answered ${res.status}: ${text}`, {
        details: { provider: PROVIDER, upstream_status: res.status },
        retryable: res.status === 408 || res.status === 429 || res.status >= 500,
      });
    }
    await callProvider(PROVIDER, () => this.client.post(`/v1/${name}:validateUpload`, { body: {} }));
  }

  /** Creates the job under an id derived from the key; if it exists already (409), that job. */
  async createJob(input: CreateJobInput): Promise<ProviderJob> {
    const jobId = await jobIdOf(input.key);
    const h = input.hyperparameters;
    const body = {
      displayName: `${KEY_MARK}${input.key}`,
      dataset: input.trainingFile,
      baseModel: input.baseModel,
      outputModel: await derivedId(input.key, ID_MAX, `${slug(input.suffix ?? "").slice(0, 24).replace(/-+$/, "") || "distillery"}-`),
      ...(h.epochs !== undefined ? { epochs: h.epochs } : {}),
      ...(h.learning_rate !== undefined ? { learningRate: h.learning_rate } : {}),
      ...(input.lora && h.lora_rank !== undefined ? { loraRank: h.lora_rank } : {}),
      ...(input.validationFile ? { evaluationDataset: input.validationFile } : {}),
    };
    try {
      const job = await this.client.post(this.path("supervisedFineTuningJobs"), { body, query: { supervisedFineTuningJobId: jobId } });
      return { ...this.toJob(parseUpstream(jobSchema, job, PROVIDER, "fine-tuning job")), key: input.key };
    } catch (err) {
      if (!isStatus(err, 409)) throw mapProviderError(err, PROVIDER);
      return { ...(await this.getJob(jobId)), key: input.key };
    }
  }

  /** The job under the key's derived id: Fireworks ids are the caller's, so a get is the lookup. */
  async findJob(key: string): Promise<ProviderJob | null> {
    try {
      return { ...(await this.getJob(await jobIdOf(key))), key };
    } catch (err) {
      if (err instanceof ApiError && err.code === "not_found") return null;
      throw err;
    }
  }

  async getJob(id: string): Promise<ProviderJob> {
    const job = await callForJob(PROVIDER, id, () => this.client.get(this.path(`supervisedFineTuningJobs/${jobPathSegment(PROVIDER, id)}`)));
    return this.toJob(parseUpstream(jobSchema, job, PROVIDER, "fine-tuning job"));
  }

  /**
   * Fireworks has no events API for supervised fine-tuning jobs: there are none to list, and no
   * call is made (a poll reads the job itself anyway; the job's own timeline shows its states).
   */
  async listEvents(_id: string, _after: string | null = null): Promise<ProviderEvent[]> {
    return [];
  }

  /** `POST …/supervisedFineTuningJobs/{id}:cancel`; a job already finished is returned as it is. */
  async cancel(id: string): Promise<ProviderJob> {
    try {
      await callForJob(PROVIDER, id, () => this.client.post(this.path(`supervisedFineTuningJobs/${jobPathSegment(PROVIDER, id)}:cancel`), { body: {} }));
    } catch (err) {
      const cause = err instanceof ApiError ? err.cause : undefined;
      if (!isStatus(cause, 400) && !isStatus(cause, 409) && !isStatus(cause, 412)) throw err;
      const job = await this.getJob(id);
      if (TERMINAL_STATUSES.has(job.status)) return job;
      throw err;
    }
    // The cancel answer is an empty message on Fireworks: read the job back.
    return this.getJob(id);
  }

  private toJob(job: z.infer<typeof jobSchema>): ProviderJob {
    const state = job.state ?? "JOB_STATE_UNSPECIFIED";
    const status = STATE[state] ?? "running";
    const succeeded = status === "succeeded";
    return {
      id: job.name.split("/").pop() ?? job.name,
      status,
      provider_status: state,
      base_model: job.baseModel ?? "",
      fine_tuned_model: succeeded && job.outputModel ? this.modelName(job.outputModel) : null,
      trained_tokens: null,
      error: status === "failed" ? { code: job.status?.code != null ? String(job.status.code) : null, message: job.status?.message || `The Fireworks job ended in ${state}.` } : null,
      created_at: isoSeconds(job.createTime),
      finished_at: TERMINAL_STATUSES.has(status) ? isoSeconds(job.completedTime) : null,
      // Only a display name Distillery wrote names a key: a user's own display name is not one.
      key: job.displayName?.startsWith(KEY_MARK) ? job.displayName.slice(KEY_MARK.length) : null,
    };
  }

  /** `accounts/{a}/models/{id}`, whichever form the job names its output model in. */
  private modelName(outputModel: string): string {
    return outputModel.startsWith("accounts/") ? outputModel : `accounts/${this.account}/models/${outputModel}`;
  }
}

/** Prefix of the display name that carries a job's key. */
const KEY_MARK = "distillery:";

function jobIdOf(key: string): Promise<string> {
  return derivedId(key, ID_MAX, "ft-");
}

function slug(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
}
