import { tenantStub } from "../durable/tenant";
import type { DatasetRecord } from "../durable/tenant/datasets";
import type { Bindings } from "../env";
import { loadCatalog, resolveModel, type ModelEntry } from "../llm";
import { logLine } from "../lib/log";
import type { GenerateMessage, LabelMessage } from "../queues/messages";
import { priced, recordUsage, type CallUsage } from "../usage/record";
import { writeDatasetFiles } from "./finalize";
import { labelQuestion } from "./label";
import { generateQuestions } from "./questions";

/** The dataset's settings, as stored in its config when it was created. */
export interface GenerationConfig {
  program: string;
  program_version: number;
  questions_per_chunk: number;
  question_prompt: string | null;
  teacher_model: string;
  top_k: number;
  max_questions: number | null;
  max_cost_usd: number | null;
}

export function configOf(d: DatasetRecord): GenerationConfig {
  return d.config as unknown as GenerationConfig;
}

function teacher(env: Bindings, cfg: GenerationConfig): ModelEntry {
  return resolveModel(loadCatalog(env), cfg.teacher_model);
}

const spentUsd = (calls: readonly CallUsage[]) => calls.reduce((n, c) => n + priced(c).cost_usd, 0);

/** Sends label messages for these questions, 100 per batch (the Queues limit). */
export async function enqueueLabels(env: Bindings, m: { tenant_id: string; request_id: string; dataset_id: string }, ids: readonly string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += 100) {
    const body = ids.slice(i, i + 100).map((question_id) => ({
      body: { type: "dataset.label" as const, tenant_id: m.tenant_id, request_id: m.request_id, dataset_id: m.dataset_id, question_id },
    }));
    await env.LABEL_QUEUE.sendBatch(body);
  }
}

/** Whether the dataset has spent its `max_cost_usd` (then labeling stops, and the status says why). */
async function overBudget(env: Bindings, tenantId: string, d: DatasetRecord): Promise<boolean> {
  const cap = configOf(d).max_cost_usd;
  if (cap === null || cap === undefined) return false;
  const { cost_usd } = await tenantStub(env, tenantId).progress(d.id);
  return cost_usd >= cap;
}

/** Step 1, per chunk: the teacher writes questions; new ones are stored pending and queued for labeling. */
export async function runGenerate(env: Bindings, m: GenerateMessage): Promise<void> {
  const stub = tenantStub(env, m.tenant_id);
  const dataset = await stub.getDataset(m.dataset_id);
  if (!dataset || dataset.status !== "generating") return;
  const cfg = configOf(dataset);
  if (await overBudget(env, m.tenant_id, dataset)) {
    await stub.failGenTask(dataset.id, m.chunk_id, "max_cost_reached");
    await stub.setDatasetStatus(dataset.id, dataset.status, `max_cost_usd of ${cfg.max_cost_usd} reached: work stopped`);
    return;
  }
  const chunk = await stub.chunkForQuestions(m.chunk_id);
  if (!chunk) {
    await stub.failGenTask(dataset.id, m.chunk_id, "the chunk's document is no longer ready");
    return;
  }
  const spent: CallUsage[] = [];
  let generated;
  try {
    generated = await generateQuestions(env, {
      datasetId: dataset.id,
      chunk,
      n: cfg.questions_per_chunk,
      prompt: cfg.question_prompt,
      evalFraction: dataset.eval_fraction,
      model: teacher(env, cfg),
      requestId: m.request_id,
      onCall: (u) => spent.push(u),
    });
  } finally {
    await recordUsage(env, m.tenant_id, spent);
  }
  const cost = {
    prompt_tokens: spent.reduce((n, c) => n + c.prompt_tokens, 0),
    completion_tokens: spent.reduce((n, c) => n + c.completion_tokens, 0),
    cost_usd: spentUsd(spent),
  };
  const pending = await stub.finishGenTask(dataset.id, chunk.id, generated.questions, cost, cfg.max_questions);
  await enqueueLabels(env, m, pending);
}

/** Step 2, per question: the teacher answers through RAG + the program; the example and its filters are recorded. */
export async function runLabel(env: Bindings, m: LabelMessage): Promise<void> {
  const stub = tenantStub(env, m.tenant_id);
  const dataset = await stub.getDataset(m.dataset_id);
  if (!dataset || !["generating", "labeling"].includes(dataset.status)) return;
  const row = await stub.questionRow(m.question_id);
  if (!row || row.status !== "pending") return;
  const cfg = configOf(dataset);
  if (await overBudget(env, m.tenant_id, dataset)) {
    await stub.completeLabel(row.id, failedOutcome("max_cost_reached"));
    await stub.setDatasetStatus(dataset.id, dataset.status, `max_cost_usd of ${cfg.max_cost_usd} reached: labeling stopped`);
    return;
  }
  const spent: CallUsage[] = [];
  try {
    const outcome = await labelQuestion(env, {
      tenantId: m.tenant_id,
      datasetId: dataset.id,
      rowId: row.id,
      question: row.question,
      program: { name: cfg.program, version: cfg.program_version },
      topK: cfg.top_k,
      model: teacher(env, cfg),
      requestId: m.request_id,
      onCall: (u) => spent.push(u),
    });
    await stub.completeLabel(row.id, { ...outcome, cost_usd: spentUsd(spent) });
  } catch (err) {
    // The calls that did happen still cost money: count them on the row before retrying.
    if (spent.length > 0) await stub.addRowCost(row.id, spentUsd(spent));
    throw err;
  } finally {
    await recordUsage(env, m.tenant_id, spent);
  }
}

/** A row that did not get labeled, with why. */
export function failedOutcome(reason: string) {
  return {
    status: "failed" as const,
    reason,
    example: null,
    tokens: null,
    model: null,
    usage: null,
    cost_usd: 0,
    chunk_ids: null,
    program: null,
    program_version: null,
  };
}

/** After any step: move the dataset along, and write its files once nothing is pending. */
export async function settle(env: Bindings, tenantId: string, datasetId: string): Promise<void> {
  const stub = tenantStub(env, tenantId);
  const { finalize } = await stub.advance(datasetId);
  if (!finalize) return;
  try {
    await writeDatasetFiles(env, tenantId, datasetId);
  } catch (err) {
    logLine("error", "dataset files not written", { tenant: tenantId, dataset: datasetId, error: err instanceof Error ? err.message : String(err) });
    await stub.setDatasetStatus(datasetId, "failed", "Could not write the dataset's JSONL files; create it again.");
  }
}
