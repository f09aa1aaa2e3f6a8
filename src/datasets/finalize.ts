import { tenantStub } from "../durable/tenant";
import type { Bindings } from "../env";
import { logLine } from "../lib/log";
import { datasetFileKey, writeJsonl } from "./jsonl";

const PAGE = 500;

/** Labeled examples of one split, page by page from the tenant's database (never all in memory). */
async function* examples(env: Bindings, tenantId: string, datasetId: string, split: "train" | "eval"): AsyncGenerator<string> {
  const stub = tenantStub(env, tenantId);
  let cursor: number | undefined;
  for (;;) {
    const page = await stub.listRows(datasetId, { split, status: "labeled", limit: PAGE, cursor });
    for (const row of page.data) if (row.example) yield row.example;
    if (page.next_cursor === null) return;
    cursor = page.next_cursor;
  }
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
    const written = await writeJsonl(env.DATA, key, examples(env, tenantId, datasetId, split));
    files[split] = { key, bytes: written.bytes, lines: written.lines, sha256: written.sha256 };
  }
  await tenantStub(env, tenantId).setDatasetStatus(datasetId, "ready", null, JSON.stringify(files));
  logLine("info", "dataset ready", { tenant: tenantId, dataset: datasetId, train: files.train?.lines, eval: files.eval?.lines });
}
