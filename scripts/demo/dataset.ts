/** Demo step: generate and label a dataset over the sample corpus, with a live progress bar. */
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { DistilleryClient } from "../lib/client.ts";
import { bold, dim, emulated, note, progress, usd } from "../lib/ui.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The seeds' question prompt: questions about the citations in a research text. */
const QUESTION_PROMPT =
  "Snippets from a research paper is given below. It contains citations. Please generate {n} questions from the text " +
  "asking about these citations. For instance: Which citations correspond to related works on transformer models? " +
  "Tell me about authors that worked on advancing RLHF.";

export interface DatasetSummary {
  id: string;
  name: string;
  rows: number;
  labeled: number;
  costUsd: number;
  /** The train/eval JSONL downloaded to disk. */
  files: string[];
}

/** Where the demo writes the dataset's JSONL (build output, git-ignored). */
export const DEMO_OUT_DIR = ".build/demo";

export async function buildDataset(api: DistilleryClient): Promise<DatasetSummary> {
  // As many rows as the corpus gives (the emulator writes at most 3 distinct questions per chunk: ~127 labeled),
  // and an eval split (its ids hashed per chunk, so its size varies from run to run) that holds the 30+ an eval decides on.
  const body = { name: "citations-demo", program: "citations_tools", questions_per_chunk: 4, max_questions: 240, eval_fraction: 0.3, top_k: 2, question_prompt: QUESTION_PROMPT };
  const dry = await api.post("/api/datasets", { ...body, dry_run: true });
  note(
    `dry run: ${dry.estimate.questions} questions over ${dry.estimate.chunks} chunks, ~${(dry.estimate.teacher_tokens.input / 1000).toFixed(0)}k input tokens, ` +
      `≈ ${usd(dry.estimate.cost_usd, 2)} on ${dry.estimate.teacher_model}`,
  );
  const created = await api.post("/api/datasets", body, { "Idempotency-Key": "demo-dataset" });
  const bar = progress("labeling", created.estimate.questions);
  let d = created;
  const deadline = Date.now() + 300_000;
  while (!["ready", "failed", "cancelled"].includes(d.status)) {
    if (Date.now() > deadline) throw new Error(`dataset still ${d.status} after 5 minutes`);
    await sleep(400);
    d = await api.get(`/api/datasets/${created.id}`);
    const s = d.counts.by_status;
    bar(s.labeled + s.rejected + s.failed, `${d.status}, $${d.progress.cost_usd.toFixed(3)} (emulated)`);
  }
  if (d.status !== "ready") throw new Error(`dataset ${d.status}: ${d.error}`);
  const s = d.counts.by_status;
  note(emulated(`${bold(String(d.counts.rows))} questions: ${s.labeled} labeled, ${s.rejected} rejected, ${s.failed} failed ` + dim(`(train ${d.counts.labeled_by_split.train}, eval ${d.counts.labeled_by_split.eval})`)));
  for (const [reason, n] of Object.entries(d.counts.rejected_by_reason)) note(dim(`  rejected: ${reason} × ${n}`));
  note(`teacher spend: ${usd(d.progress.cost_usd)} (${(d.progress.prompt_tokens + d.progress.completion_tokens).toLocaleString()} tokens)`);

  // A student base: the smaller open-weights model the teacher is distilled into (it outlives OpenAI's bases).
  const base = encodeURIComponent("meta-llama/Meta-Llama-3.1-8B-Instruct-Reference");
  const report = await api.get(`/api/datasets/${created.id}/validation?provider=together&base_model=${base}`);
  note(
    `validation (${report.provider}, ${report.base_model}): ${report.valid}/${report.examples} valid, ${report.errors.total} errors, ` +
      `tokens p50 ${report.tokens.p50}, max ${report.tokens.max}; ${report.epochs} epochs ≈ ${report.billed_tokens_estimate.toLocaleString()} billed tokens ≈ ${usd(report.cost_usd_estimate ?? 0)}`,
  );
  for (const w of report.warnings) note(dim(`  warning: ${w.message}`));
  // The files a user would fine-tune on elsewhere, downloaded as they would (GET …/files/:split).
  // One run's files at a time: the previous run's datasets no longer exist anywhere.
  await rm(DEMO_OUT_DIR, { recursive: true, force: true });
  const dir = join(DEMO_OUT_DIR, created.id);
  await mkdir(dir, { recursive: true });
  // The files are the dataset's snapshot's (what a job trains on), written when labeling ended.
  const snap = d.latest_snapshot;
  const files: string[] = [];
  for (const split of ["train", "eval"] as const) {
    if (!snap.files[split]) continue;
    const res = await fetch(`${api.baseUrl}/api/datasets/${created.id}/files/${split}`, { headers: api.authHeader() });
    if (!res.ok) throw new Error(`GET files/${split} → ${res.status}`);
    const path = join(dir, `${split}.jsonl`);
    await writeFile(path, Buffer.from(await res.arrayBuffer()));
    files.push(path);
    note(`${split}.jsonl: ${snap.files[split].lines} lines, ${(snap.files[split].bytes / 1024).toFixed(1)} KiB (snapshot ${snap.name}) → ${bold(path)} ${dim("(teacher answers: emulated)")}`);
  }
  return { id: created.id, name: body.name, rows: d.counts.rows, labeled: s.labeled, costUsd: d.progress.cost_usd, files };
}
