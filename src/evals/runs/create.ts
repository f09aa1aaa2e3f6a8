import type { TenantHandle } from "../../durable/tenant";
import type { EvalConfig, EvalEstimate, EvalMetricName, EvalModelRef, EvalPlan, EvalRecord, EvalTaskKind } from "../../durable/tenant/evals";
import type { Bindings } from "../../env";
import { ApiError } from "../../errors";
import { newId } from "../../lib/ids";
import { roundUsd, toMicros } from "../../lib/money";
import { costUsd, loadCatalog, resolveModel, type ModelEntry } from "../../llm";
import { isRetired } from "../../llm/retirement";
import { activePointer } from "../../serving/pointer";
import { MAX_REPEATS } from "../repeat";
import { enqueueTasks } from "./enqueue";
import { EVAL_METRICS } from "./report";

export { jobEvalId } from "../../durable/tenant/evals-types";

/** What a caller asks of an eval (the route's body, or a job's `evaluate: true`). */
export interface EvalRequest {
  dataset: string;
  /** Candidates; default: the tenant's newest servable candidate. */
  models?: string[] | undefined;
  /** Who the candidates are compared with; default: the tenant's active model (the teacher when none). */
  incumbent?: string | undefined;
  judge_model?: string | undefined;
  metrics?: EvalMetricName[] | undefined;
  repeats?: number | undefined;
  max_cost_usd?: number | undefined;
  max_questions?: number | undefined;
  dry_run?: boolean | undefined;
}

export const DEFAULT_MAX_QUESTIONS = 500;
export const MAX_QUESTIONS = 2000;

/** A model an eval may call: in the tenant's registry and servable, or a chat model of the catalog not retired. */
function evalModel(env: Bindings, id: string, registry: Awaited<ReturnType<TenantHandle["models"]["registry"]>>): EvalModelRef {
  const registered = registry.models.find((m) => m.id === id);
  if (registered) {
    if (!registered.servable) {
      throw new ApiError("bad_request", `Model ${id} is not servable yet (it needs a deployment first), so an eval cannot call it.`, { details: { model: id } });
    }
    return { id, role: "candidate", base_model: registered.base_model };
  }
  const entry = loadCatalog(env).byId.get(id);
  if (!entry) {
    throw new ApiError("bad_request", `Model ${id} is neither in this tenant's registry nor in the catalog.`, { details: { model: id } });
  }
  if (entry.kind !== "chat") throw new ApiError("bad_request", `Model ${id} is an ${entry.kind} model, not a chat model.`, { details: { model: id } });
  if (isRetired(entry)) throw new ApiError("bad_request", `Model ${id} is retired and cannot be called.`, { details: { model: id } });
  return { id, role: "candidate", base_model: null };
}

/** The catalog entry an eval model resolves to (a fine-tune inherits its base's entry and prices). */
export function entryOf(env: Bindings, ref: Pick<EvalModelRef, "id" | "base_model">): ModelEntry {
  return resolveModel(loadCatalog(env), ref.id, ref.base_model ? [{ id: ref.id, base_model: ref.base_model }] : []);
}

/** The judge must call tools (every verdict is a forced tool call). */
function judgeModel(env: Bindings, id: string | undefined): ModelEntry {
  const catalog = loadCatalog(env);
  const judgeId = id ?? catalog.defaults.judge;
  const entry = catalog.byId.get(judgeId);
  if (!entry) throw new ApiError("bad_request", `Judge model ${judgeId} is not in the catalog.`, { details: { judge_model: judgeId } });
  if (entry.kind !== "chat" || !entry.supports_tools) {
    throw new ApiError("bad_request", `Judge model ${judgeId} does not support tools (function calling); every verdict is a forced tool call.`, { details: { judge_model: judgeId } });
  }
  return entry;
}

/**
 * A rough estimate per task kind, from the questions' recorded tokens: an answer reads the example's
 * prompt and writes about a quarter as much again; a judge call reads the answer with its
 * instructions (and contexts) and writes a short verdict. Stated as an estimate: real usage is
 * recorded and priced as the eval runs.
 */
function estimate(env: Bindings, config: Omit<EvalConfig, "task_estimate_micros">, plan: EvalPlan): { estimate: EvalEstimate; perTask: Record<EvalTaskKind, number> } {
  const perQuestion = Math.max(1, Math.ceil(plan.tokens / plan.questions));
  const answerOut = Math.max(32, Math.ceil(perQuestion / 4));
  const judge = judgeModel(env, config.judge_model);
  const catalog = loadCatalog(env);
  const embedder = resolveModel(catalog, catalog.defaults.embedding);
  const calls = { answers: 0, judge: 0, embeddings: 0 };
  const tokens = { input: 0, output: 0 };
  const add = (model: ModelEntry, input: number, output: number, n: number, kind: keyof typeof calls) => {
    calls[kind] += n;
    tokens.input += input * n;
    tokens.output += output * n;
    return costUsd(model, { input, output });
  };
  const q = plan.questions;
  const m = config.models.length;
  const r = config.repeats;
  let total = 0;
  const answerCosts = config.models.map((ref) => add(entryOf(env, ref), perQuestion, answerOut, q, "answers"));
  total += answerCosts.reduce((a, b) => a + b, 0) * q;
  const faith = add(judge, perQuestion + 300, 200, config.metrics.includes("faithfulness") ? q * m * r : 0, "judge");
  const relJudge = add(judge, answerOut + 300, 150, config.metrics.includes("answer_relevancy") ? q * m * r : 0, "judge");
  const relEmbed = add(embedder, answerOut + 150, 0, config.metrics.includes("answer_relevancy") ? q * m * r : 0, "embeddings");
  const pair = 2 * add(judge, 2 * answerOut + 400, 150, config.metrics.includes("pairwise") ? 2 * q * (m - 1) * r : 0, "judge");
  if (config.metrics.includes("faithfulness")) total += faith * q * m * r;
  if (config.metrics.includes("answer_relevancy")) total += (relJudge + relEmbed) * q * m * r;
  if (config.metrics.includes("pairwise")) total += pair * q * (m - 1) * r;
  const perTask: Record<EvalTaskKind, number> = {
    answer: Math.max(1, toMicros(Math.max(...answerCosts))),
    faithfulness: Math.max(1, toMicros(faith)),
    answer_relevancy: Math.max(1, toMicros(relJudge + relEmbed)),
    pairwise: Math.max(1, toMicros(pair)),
  };
  return {
    estimate: { questions: q, calls, tokens, cost_usd: roundUsd(total), cost_per_question_usd: roundUsd(total / q) },
    perTask,
  };
}

/** Checks a request and plans its eval: its models, judge, metrics, questions and estimate (4xx when anything is wrong). */
export async function planEval(env: Bindings, tenant: TenantHandle, req: EvalRequest): Promise<{ config: EvalConfig; estimate: EvalEstimate; plan: EvalPlan; maxQuestions: number }> {
  const repeats = req.repeats ?? 1;
  if (!Number.isInteger(repeats) || repeats < 1 || repeats > MAX_REPEATS) {
    throw new ApiError("bad_request", `repeats must be an integer from 1 to ${MAX_REPEATS}.`, { details: { repeats } });
  }
  const judge = judgeModel(env, req.judge_model);
  const maxQuestions = req.max_questions ?? DEFAULT_MAX_QUESTIONS;
  const [plan, registry, pointer] = await Promise.all([tenant.evals.plan(req.dataset, maxQuestions), tenant.models.registry(), activePointer(env, tenant.id)]);
  const incumbent = { ...evalModel(env, req.incumbent ?? pointer.model, registry), role: "incumbent" as const };
  let candidates = req.models;
  if (!candidates || candidates.length === 0) {
    const newest = registry.models.find((m) => m.status === "candidate" && m.servable && m.id !== incumbent.id);
    if (!newest) throw new ApiError("bad_request", "This tenant has no servable candidate model to evaluate: name the models to compare in `models`.", { details: { models: [] } });
    candidates = [newest.id];
  }
  const refs = [incumbent, ...candidates.map((id) => evalModel(env, id, registry))];
  const seen = new Set<string>();
  for (const r of refs) {
    if (seen.has(r.id)) throw new ApiError("bad_request", `Model ${r.id} is named twice (the incumbent is ${incumbent.id}).`, { details: { model: r.id } });
    seen.add(r.id);
  }
  const metrics = req.metrics?.length ? [...new Set(req.metrics)] : [...EVAL_METRICS];
  const base = { models: refs, judge_model: judge.id, metrics, repeats, max_cost_usd: req.max_cost_usd ?? null };
  const { estimate: est, perTask } = estimate(env, base, plan);
  if (req.max_cost_usd !== undefined && req.max_cost_usd < est.cost_per_question_usd) {
    throw new ApiError("bad_request", `max_cost_usd ${req.max_cost_usd} is below the estimate for even one question ($${est.cost_per_question_usd}).`, {
      details: { max_cost_usd: req.max_cost_usd, cost_per_question_usd: est.cost_per_question_usd, estimate_usd: est.cost_usd },
    });
  }
  return { config: { ...base, task_estimate_micros: perTask }, estimate: est, plan, maxQuestions };
}

/** Plans, records and queues an eval (its answer tasks); a repeat of the id queues nothing again. */
export async function startEval(
  env: Bindings,
  tenant: TenantHandle,
  req: EvalRequest,
  opts: { id?: string; jobId?: string | null; requestId: string },
): Promise<{ created: boolean; eval: EvalRecord }> {
  const planned = await planEval(env, tenant, req);
  const made = await tenant.evals.create({
    id: opts.id ?? newId("ev"),
    dataset_id: planned.plan.dataset_id,
    config: planned.config,
    job_id: opts.jobId ?? null,
    estimate: planned.estimate,
    max_questions: planned.maxQuestions,
    request_id: opts.requestId,
  });
  // A lost send is the sweeper's to repair (the eval's lease lapses with its tasks pending).
  if (made.created) await enqueueTasks(env, tenant.id, made.eval.id, opts.requestId, made.tasks);
  return { created: made.created, eval: made.eval };
}
