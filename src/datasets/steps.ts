import type { StepRef, StepStart, TenantHandle } from "../durable/tenant";
import type { Bindings } from "../env";
import { ApiError, failureMessage, toApiError } from "../errors";
import { loadCatalog, resolveModel, type ModelEntry } from "../llm";
import { priced, type CallUsage } from "../usage/record";
import { finalizeDataset } from "./finalize";
import { labelQuestion } from "./label";
import { generateQuestions } from "./questions";

import type { KeptMatch } from "../durable/tenant/generation";

export type { GenerationConfig } from "../durable/tenant/generation";

type Started = Extract<StepStart, { state: "generate" | "label" }>;

function teacher(env: Bindings, model: string): ModelEntry {
  return resolveModel(loadCatalog(env), model);
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

/** Sends a dataset's pending work (the chunks still to question, the questions still to label) as messages: how a retry or the sweeper resumes it. */
export async function enqueueWork(
  env: Bindings,
  m: { tenant_id: string; request_id: string; dataset_id: string },
  work: { chunks: readonly string[]; questions: readonly string[] },
): Promise<void> {
  for (let i = 0; i < work.chunks.length; i += 100) {
    await env.LABEL_QUEUE.sendBatch(work.chunks.slice(i, i + 100).map((chunk_id) => ({ body: { type: "dataset.generate" as const, ...m, chunk_id } })));
  }
  await enqueueLabels(env, m, work.questions);
}

/** The calls a step made: chat calls (the row's spend) and the others (retrieval's embedding); its retrieval. */
interface Spend {
  chat: CallUsage[];
  other: CallUsage[];
  kept?: KeptMatch[];
}

/** Step 1, per chunk: the teacher writes questions; new ones are stored pending and queued for labeling. */
async function generate(env: Bindings, tenant: TenantHandle, step: StepRef, start: Extract<Started, { state: "generate" }>, spend: Spend): Promise<boolean> {
  const m = step.message;
  const generated = await generateQuestions(env, {
    datasetId: m.dataset_id,
    chunk: start.chunk,
    n: start.config.questions_per_chunk,
    prompt: start.config.question_prompt,
    evalFraction: start.eval_fraction,
    model: teacher(env, start.config.teacher_model),
    requestId: m.request_id,
    onCall: (u) => spend.chat.push(u),
  });
  const cost = {
    prompt_tokens: spend.chat.reduce((n, c) => n + c.prompt_tokens, 0),
    completion_tokens: spend.chat.reduce((n, c) => n + c.completion_tokens, 0),
    cost_usd: spentUsd(spend.chat),
  };
  const { pending, finalize } = await tenant.generation.finishQuestions(step, generated.questions, cost, spend.chat.map(priced));
  await enqueueLabels(env, m, pending);
  return finalize;
}

/** Step 2, per question: the teacher answers through RAG + the program; the example and its filters are recorded. */
async function label(env: Bindings, tenant: TenantHandle, step: StepRef, start: Extract<Started, { state: "label" }>, spend: Spend): Promise<boolean> {
  const m = step.message;
  if (m.type !== "dataset.label") throw new ApiError("internal", "A label start for a generation step.");
  const outcome = await labelQuestion(env, tenant, {
    question: start.question,
    program: start.program,
    topK: start.config.top_k,
    model: teacher(env, start.config.teacher_model),
    requestId: m.request_id,
    onCall: (u) => spend.chat.push(u),
    onRetrieve: (u) => spend.other.push(u),
    kept: start.kept,
    onSources: (matches) => (spend.kept = matches),
  });
  const usage = [...spend.other, ...spend.chat].map(priced);
  const { finalize } = await tenant.generation.finishLabel(step, { ...outcome, cost_usd: spentUsd(spend.chat) }, usage);
  return finalize;
}

/**
 * Runs a begun step to its end in the tenant's object: finished, or failed with what its calls
 * cost (a final error fails the row or task at once; a retryable one counts an attempt).
 * Writes the dataset's files when this step was its last work. Answers the failure, if any.
 */
export async function runStep(env: Bindings, tenant: TenantHandle, step: StepRef, start: Started): Promise<{ err: ApiError; attempts: number } | null> {
  const spend: Spend = { chat: [], other: [] };
  let failure: { err: ApiError; attempts: number } | null = null;
  let finalize: boolean;
  try {
    finalize = start.state === "generate" ? await generate(env, tenant, step, start, spend) : await label(env, tenant, step, start, spend);
  } catch (e) {
    const err = toApiError(e);
    const failed = await tenant.generation.failStep(
      step,
      { error: `${err.code}: ${failureMessage(err, step.message.request_id)}`, retryable: err.retryable },
      {
        cost_usd: step.message.type === "dataset.label" ? spentUsd(spend.chat) : 0,
        usage: [...spend.other, ...spend.chat].map(priced),
        ...(spend.kept ? { kept: spend.kept } : {}),
      },
    );
    failure = { err, attempts: failed.attempts };
    finalize = failed.finalize;
  }
  if (finalize) await finalizeDataset(env, tenant, step.message.dataset_id, step.message.request_id);
  return failure;
}
