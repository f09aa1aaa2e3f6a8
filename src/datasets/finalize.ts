import type { TenantHandle } from "../durable/tenant";
import type { DatasetRecord } from "../durable/tenant/datasets";
import type { Bindings } from "../env";
import { causeOf, failureMessage, toApiError } from "../errors";
import { logLine } from "../lib/log";
import { datasetFileKey, writeJsonl } from "./jsonl";
import { labeledExamples } from "./rows";

/** The JSON lines of one split's labeled examples. */
async function* lines(tenant: TenantHandle, datasetId: string, split: "train" | "eval"): AsyncGenerator<string> {
  for await (const e of labeledExamples(tenant, datasetId, split)) yield e.text;
}

/**
 * Writes train.jsonl and eval.jsonl by streaming rows into R2 (multipart for large
 * sets), then marks the dataset ready with the files' sizes and digests. Called once,
 * by whichever caller claimed the dataset's `writing` state; answers the dataset, ready.
 */
export async function writeDatasetFiles(env: Bindings, tenant: TenantHandle, datasetId: string): Promise<DatasetRecord> {
  const files: Record<string, { key: string; bytes: number; lines: number; sha256: string }> = {};
  for (const split of ["train", "eval"] as const) {
    const key = datasetFileKey(tenant.id, datasetId, split);
    const written = await writeJsonl(env.DATA, key, lines(tenant, datasetId, split));
    files[split] = { key, bytes: written.bytes, lines: written.lines, sha256: written.sha256 };
  }
  const dataset = await tenant.datasets.written(datasetId, JSON.stringify(files));
  logLine("info", "dataset ready", { tenant: tenant.id, dataset: datasetId, train: files.train?.lines, eval: files.eval?.lines });
  return dataset;
}

/**
 * Writes a generated dataset's files once its work drained; a failure fails the dataset with what
 * failed, the request id its cause is logged under, and what to do.
 */
export async function finalizeDataset(env: Bindings, tenant: TenantHandle, datasetId: string, requestId: string): Promise<void> {
  try {
    await writeDatasetFiles(env, tenant, datasetId);
  } catch (err) {
    logLine("error", "dataset files not written", { tenant: tenant.id, dataset: datasetId, cause: causeOf(err), request_id: requestId });
    const why = failureMessage(toApiError(err), requestId).replace(/\.?$/, "");
    await tenant.datasets.fail(
      datasetId,
      `Could not write the dataset's JSONL files: ${why}. Create the dataset again (request id ${requestId}).`,
    );
  }
}
