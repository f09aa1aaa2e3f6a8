import type { TenantHandle } from "../durable/tenant";
import type { DatasetRecord } from "../durable/tenant/datasets";
import type { Bindings } from "../env";
import { ApiError, causeOf, failureMessage, toApiError } from "../errors";
import { logLine } from "../lib/log";
import { holdWriting } from "./dev-hold";
import { datasetFileKey, writeJsonl } from "./jsonl";
import { labeledExamples } from "./rows";

/** The JSON lines of one split's labeled examples. */
async function* lines(tenant: TenantHandle, datasetId: string, split: "train" | "eval"): AsyncGenerator<string> {
  for await (const e of labeledExamples(tenant, datasetId, split)) yield e.text;
}

/**
 * Writes a snapshot's train.jsonl and eval.jsonl by streaming its rows into R2 (multipart for
 * large sets), then marks it ready with the files' sizes and digests. Called by whichever caller
 * claimed the snapshot's write; the keys are the snapshot's, so a second writer (after a crash)
 * writes the same bytes to the same keys. Answers the snapshot, ready.
 */
export async function writeSnapshotFiles(env: Bindings, tenant: TenantHandle, snapshotId: string): Promise<DatasetRecord> {
  await holdWriting(env);
  const files: Record<string, { key: string; bytes: number; lines: number; sha256: string }> = {};
  for (const split of ["train", "eval"] as const) {
    const key = datasetFileKey(tenant.id, snapshotId, split);
    const written = await writeJsonl(env.DATA, key, lines(tenant, snapshotId, split));
    files[split] = { key, bytes: written.bytes, lines: written.lines, sha256: written.sha256 };
  }
  const snapshot = await tenant.datasets.written(snapshotId, JSON.stringify(files));
  logLine("info", "snapshot ready", { tenant: tenant.id, snapshot: snapshotId, train: files.train?.lines, eval: files.eval?.lines });
  return snapshot;
}

/**
 * Freezes a dataset: takes its snapshot and, when this caller claimed it, writes the files. A
 * failure marks the snapshot failed (a freeze or `POST …/retry` claims it again) and is thrown.
 * Answers the snapshot: ready, or `writing` when another live writer holds it.
 */
export async function freezeDataset(env: Bindings, tenant: TenantHandle, idOrName: string, requestId: string): Promise<DatasetRecord> {
  const { snapshot, claimed } = await tenant.datasets.freeze(idOrName);
  if (!claimed) return snapshot;
  return writeClaimed(env, tenant, snapshot.id, requestId);
}

/**
 * Writes a claimed snapshot's files; on failure marks it failed with what failed, the request id its
 * cause is logged under and what to do, and throws.
 */
export async function writeClaimed(env: Bindings, tenant: TenantHandle, snapshotId: string, requestId: string): Promise<DatasetRecord> {
  try {
    return await writeSnapshotFiles(env, tenant, snapshotId);
  } catch (err) {
    logLine("error", "dataset files not written", { tenant: tenant.id, snapshot: snapshotId, cause: causeOf(err), request_id: requestId });
    const why = failureMessage(toApiError(err), requestId).replace(/\.?$/, "");
    await tenant.datasets.fail(
      snapshotId,
      `Could not write the dataset's JSONL files: ${why}. Retry with POST /api/datasets/{id}/retry (request id ${requestId}).`,
    );
    throw err instanceof ApiError ? err : new ApiError("upstream_unavailable", "Could not write the dataset's files; retry.", { cause: err });
  }
}

/** A generated dataset whose work drained: its first (or next) snapshot written; a failure fails it (with why), never thrown. */
export async function finalizeDataset(env: Bindings, tenant: TenantHandle, datasetId: string, requestId: string): Promise<void> {
  try {
    await freezeDataset(env, tenant, datasetId, requestId);
  } catch {
    // Recorded on the snapshot and its source by writeClaimed; the sweeper or a retry takes it from there.
  }
}
