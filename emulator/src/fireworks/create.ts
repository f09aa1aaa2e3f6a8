import { z } from "zod";
import { buildProviderJob, checkTrainingFiles } from "../fine-tuning/provider-job";
import type { JobSpec, JobState } from "../fine-tuning/types";
import type { Run } from "../runs/store";
import type { Services } from "../services";
import { parseOrThrow, readJsonText } from "../validation";
import type { DatasetRecord } from "./datasets";
import { alreadyExists, failedPrecondition, invalidArgument, notFoundG, RESOURCE_ID } from "./errors";

/** The bases Fireworks fine-tunes here (the model the demo uses). */
export const FIREWORKS_FINE_TUNABLE = ["accounts/fireworks/models/llama-v3p1-8b-instruct"];
/** Tokens per training batch when the request sets none (Fireworks' batchSize counts tokens). */
const DEFAULT_BATCH_TOKENS = 32_768;

/** POST /supervisedFineTuningJobs (Fireworks' documented body; W&B, region and similar are accepted and ignored). */
const createSchema = z.looseObject({
  dataset: z.string().min(1),
  baseModel: z.string().min(1).optional(),
  warmStartFrom: z.string().optional(),
  outputModel: z.string().optional(),
  displayName: z.string().optional(),
  epochs: z.number().int().min(1).max(10).default(1),
  learningRate: z.number().positive().max(1).default(0.0001),
  loraRank: z.number().int().min(4).max(64).default(8),
  maxContextLength: z.number().int().min(512).max(131_072).default(8192),
  batchSize: z.number().int().min(1).optional(),
  evaluationDataset: z.string().optional(),
  earlyStop: z.boolean().default(false),
});

/** "accounts/a/datasets/d" (or a bare "d" in the path's account) → the READY dataset. */
function readyDataset(services: Services, account: string, ref: string, field: string): DatasetRecord {
  const match = /^accounts\/([^/]+)\/datasets\/([^/]+)$/.exec(ref);
  const [acc, id] = match ? [match[1] ?? "", match[2] ?? ""] : [account, ref];
  const d = services.datasets.get(acc, id);
  if (!d) throw notFoundG(`${field} accounts/${acc}/datasets/${id} not found`);
  if (d.state !== "READY" || !d.fileId) throw failedPrecondition(`${field} accounts/${acc}/datasets/${id} is ${d.state}, not READY: upload its file first.`);
  return d;
}

/** Validates a create request and builds the job; errors are Fireworks' (Google-shaped). */
export function createFireworksJob(services: Services, run: Run, account: string, requestedId: string | undefined, bodyText: string): { spec: JobSpec; state: JobState } {
  const p = parseOrThrow(createSchema, readJsonText(bodyText));
  const id = requestedId || crypto.randomUUID();
  if (!RESOURCE_ID.test(id)) throw invalidArgument(`Invalid supervisedFineTuningJobId "${id}": use 1-63 lowercase letters, digits or hyphens.`);
  if (services.jobs.get(id)) throw alreadyExists(`Supervised fine-tuning job accounts/${account}/supervisedFineTuningJobs/${id} already exists`);
  if (p.warmStartFrom) throw invalidArgument("The emulator does not support warmStartFrom; set baseModel.");
  if (!p.baseModel) throw invalidArgument("baseModel is required.");
  if (!FIREWORKS_FINE_TUNABLE.includes(p.baseModel)) throw invalidArgument(`Model ${p.baseModel} is not supported for fine-tuning. Supported: ${FIREWORKS_FINE_TUNABLE.join(", ")}`);
  const dataset = readyDataset(services, account, p.dataset, "dataset");
  const evaluation = p.evaluationDataset ? readyDataset(services, account, p.evaluationDataset, "evaluationDataset") : null;

  const outputMatch = /^accounts\/([^/]+)\/models\/(.+)$/.exec(p.outputModel ?? "");
  if (outputMatch && outputMatch[1] !== account) throw invalidArgument(`outputModel must be in account ${account}.`);
  const outputId = outputMatch?.[2] ?? (p.outputModel || id);
  if (!RESOURCE_ID.test(outputId)) throw invalidArgument(`Invalid outputModel "${outputId}": use 1-63 lowercase letters, digits or hyphens.`);
  const modelName = `accounts/${account}/models/${outputId}`;
  if (services.jobs.byModelName(modelName)) throw alreadyExists(`Model ${modelName} already exists`);

  const checked = checkTrainingFiles(services.files, dataset.fileId ?? "", evaluation?.fileId ?? null, p.baseModel);
  const batchSize = p.batchSize ?? DEFAULT_BATCH_TOKENS;
  const avgTokens = checked.validation.examples ? checked.validation.tokens / checked.validation.examples : 1;
  const datasetName = `accounts/${dataset.account}/datasets/${dataset.id}`;
  const evaluationName = evaluation ? `accounts/${evaluation.account}/datasets/${evaluation.id}` : null;
  return buildProviderJob({
    ...checked,
    provider: "fireworks",
    id,
    run: run.name,
    config: run.config,
    now: services.runs.now(run.name),
    model: p.baseModel,
    baseModel: p.baseModel,
    trainingFile: datasetName,
    validationFile: evaluationName,
    epochs: p.epochs,
    // batchSize counts tokens: the examples that fit in one batch make one step.
    examplesPerStep: Math.max(1, Math.floor(batchSize / Math.max(1, avgTokens))),
    suffix: null,
    modelName,
    dialect: {
      account,
      displayName: p.displayName ?? "",
      learningRate: p.learningRate,
      loraRank: p.loraRank,
      maxContextLength: p.maxContextLength,
      batchSize,
      earlyStop: p.earlyStop,
    },
  });
}
