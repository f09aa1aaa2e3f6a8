import type { TenantHandle } from "../../durable/tenant";
import type { RowRecord } from "../../durable/tenant/datasets";
import type { BegunTask, TaskOutcome } from "../../durable/tenant/evals";
import type { EvalModelRef } from "../../durable/tenant/evals-types";
import type { Bindings } from "../../env";
import { toMicros } from "../../lib/money";
import { costUsd, type ModelEntry } from "../../llm";
import type { CallUsage } from "../../usage/record";
import { agreement } from "../agreement";
import { faithfulness } from "../faithfulness";
import { embedderFor, judgeFor, type EvalCallContext } from "../judge-client";
import { pairwisePreference } from "../pairwise";
import { answerRelevancy } from "../relevancy";
import { referenceOutput, replayer } from "../replay";
import { schemaValidity } from "../schema-validity";
import { entryOf } from "./create";

/** The question a row asks: its own, else the last user message of its stored prompt. */
export function questionOf(row: Pick<RowRecord, "question" | "example">): string {
  if (row.question) return row.question;
  try {
    const ex = JSON.parse(row.example ?? "{}") as { messages?: Array<{ role?: string; content?: unknown }> };
    const user = [...(ex.messages ?? [])].reverse().find((m) => m.role === "user");
    return typeof user?.content === "string" ? user.content : JSON.stringify(user?.content ?? "");
  } catch {
    return "";
  }
}

/** Sums calls' usage and prices them at the catalog's prices (a fine-tune at its serving price). */
function meter() {
  const calls: CallUsage[] = [];
  return {
    onCall: (u: CallUsage) => void calls.push(u),
    get micros() {
      return calls.reduce((s, c) => s + toMicros(costUsd(c.model, { input: c.prompt_tokens, output: c.completion_tokens })), 0);
    },
  };
}

/**
 * Runs one eval task: a model's answer to a question (with the metrics that need no judge: schema
 * validity and agreement with the teacher's stored answer, which is never re-asked), or one judge
 * unit over answers already recorded. Provider errors propagate (the consumer retries or gives up).
 */
export async function runTask(env: Bindings, tenant: TenantHandle, b: BegunTask, requestId: string): Promise<TaskOutcome> {
  const m = meter();
  const ctx: EvalCallContext = { requestId, onCall: m.onCall };
  const { task, row, eval: e } = b;
  const question = questionOf(row);
  if (task.kind === "answer") {
    const model = await servedEntry(env, tenant, e.config.models[task.model]!);
    const answer = await replayer(env, tenant, ctx)(row, model);
    const validity = schemaValidity({ schema: answer.schema, output: answer.output, raw: answer.raw, repaired: answer.repaired });
    const agree = agreement(referenceOutput(row), answer.output);
    return {
      failed: false,
      score: null,
      undetermined: null,
      extra: {
        schema_validity: validity.score,
        agreement: agree.score,
        exact_match: agree.exact,
        latency_ms: answer.latency_ms,
        prompt_tokens: answer.usage.prompt_tokens,
        completion_tokens: answer.usage.completion_tokens,
        calls: answer.usage.calls,
      },
      result: {
        output: answer.output,
        raw: answer.raw,
        error: answer.error,
        repaired: answer.repaired,
        contexts: answer.contexts,
        validity_errors: validity.errors.slice(0, 10),
      },
      cost_micros: m.micros,
    };
  }
  const judge = judgeFor(env, { ...ctx, model: e.config.judge_model });
  const answer = b.answers[task.model] ?? {};
  if (task.kind === "faithfulness") {
    const r = await faithfulness(judge, { question, output: answer.output ?? null, contexts: (answer.contexts as string[] | undefined) ?? [] });
    return { failed: false, score: r.score, undetermined: r.undetermined, extra: null, result: { statements: r.statements, records: r.records }, cost_micros: m.micros };
  }
  if (task.kind === "answer_relevancy") {
    const r = await answerRelevancy(judge, embedderFor(env, ctx), { question, output: answer.output ?? null });
    const { records, ...rest } = r;
    return { failed: false, score: r.score, undetermined: r.undetermined, extra: null, result: { ...rest, records }, cost_micros: m.micros };
  }
  // Pairwise: the candidate shown first in one order, second in the other; score is the candidate's.
  const incumbent = b.answers[0] ?? {};
  const r = await pairwisePreference(judge, { question, first: answer.output ?? null, second: incumbent.output ?? null, contexts: (answer.contexts as string[] | undefined) ?? [] });
  const decisive = !r.identical && r.verdicts.forward !== null && r.verdicts.swapped !== null && (r.verdicts.forward !== "tie" || r.verdicts.swapped !== "tie");
  return {
    failed: false,
    score: r.score,
    undetermined: r.undetermined,
    extra: { winner: r.winner, flipped: r.flipped, decisive, identical: r.identical },
    result: { winner: r.winner, verdicts: r.verdicts, explanations: r.explanations, flipped: r.flipped, identical: r.identical, records: r.records },
    cost_micros: m.micros,
  };
}

/**
 * The entry to call a model by: a registered fine-tune served through a deployment (Together's
 * endpoint, a Fireworks addon) answers to its deployment's inference name, not its own id.
 * (A deployment with a base URL of its own is not reached here yet: both providers' deployments
 * answer on the provider's usual inference route.)
 */
async function servedEntry(env: Bindings, tenant: TenantHandle, ref: EvalModelRef): Promise<ModelEntry> {
  const entry = entryOf(env, ref);
  if (!ref.base_model) return entry;
  const { serving } = await tenant.deployments.model(ref.id);
  return serving?.inference_model ? { ...entry, model: serving.inference_model } : entry;
}
