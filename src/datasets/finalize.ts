import { tenantStub } from "../durable/tenant";
import type { Bindings } from "../env";
import { logLine } from "../lib/log";
import { datasetFileKey, writeJsonl } from "./jsonl";
import { labeledExamples } from "./rows";

/** The JSON lines of one split's labeled examples. */
async function* lines(env: Bindings, tenantId: string, datasetId: string, split: "train" | "eval"): AsyncGenerator<string> {
  for await (const e of labeledExamples(env, tenantId, datasetId, split)) yield e.text;
}

/**
 * Writes train.jsonl and eval.jsonl by streaming rows into R2 (multipart for large
 * sets), then marks the dataset ready with the files' sizes and digests. Called once,
 * by whichever consumer claimed the dataset's `writing` state.
 */
export async function writeDatasetFiles(env: Bindings, tenantId: string, datasetId: string): Promise<void> {
  const files: Record<string, { key: string; bytes: number; lines: number; sha256: string }> = {};
  for (const split of ["train", "eval"] as const) {
    const key = datasetFileKey(tenantId, datasetId, split);
    const written = await writeJsonl(env.DATA, key, lines(env, tenantId, datasetId, split));
    files[split] = { key, bytes: written.bytes, lines: written.lines, sha256: written.sha256 };
  }
  await tenantStub(env, tenantId).setDatasetStatus(datasetId, "ready", null, JSON.stringify(files));
  logLine("info", "dataset ready", { tenant: tenantId, dataset: datasetId, train: files.train?.lines, eval: files.eval?.lines });
}
