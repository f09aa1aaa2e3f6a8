import type { TenantHandle } from "../durable/tenant";
import type { KeptMatch, LabelOutcome } from "../durable/tenant/generation";
import type { ProgramRecord } from "../durable/tenant/programs";
import type { Bindings } from "../env";
import { ApiError } from "../errors";
import { countChatTokens, costUsd, type ModelEntry } from "../llm";
import { answerWithSources } from "../programs/rag";
import { retrieve, type RetrievedSource } from "../retrieval/retrieve";
import type { CallUsage } from "../usage/record";
import { qualityProblem } from "./filters";

export interface LabelJob {
  question: string;
  program: ProgramRecord;
  topK: number;
  model: ModelEntry;
  requestId: string;
  /** The teacher's calls (the row's spend). */
  onCall: (u: CallUsage) => void;
  /** The retrieval's embedding call. */
  onRetrieve: (u: CallUsage) => void;
  /** Sources an earlier attempt retrieved (then no retrieval), or null. */
  kept?: RetrievedSource[] | null;
  /** The retrieval's matches once made, for the step to keep should a later call fail. */
  onSources?: (matches: KeptMatch[]) => void;
}

/**
 * The teacher answers one question through RAG + the dataset's program; the call is
 * captured as the row's fine-tuning example, then checked by the quality filters.
 * An output the program cannot make valid is recorded as rejected (`invalid_output`),
 * not retried: retrying a model's wrong answer costs money and rarely helps.
 * Usage is reported to the callbacks, for the step's finish to record.
 */
export async function labelQuestion(env: Bindings, tenant: TenantHandle, job: LabelJob): Promise<LabelOutcome> {
  const { program } = job;
  const sources =
    job.kept ??
    (await retrieve(env, tenant, {
      query: job.question,
      topK: job.topK,
      requestId: job.requestId,
      onCall: job.onRetrieve,
      // A label step reads its sources through its own surface (no other surface to open).
      chunks: (ids) => tenant.generation.sources(ids),
    }));
  job.onSources?.(sources.map((s) => ({ chunk_id: s.chunk_id, score: s.score })));
  const base = { program: program.name, program_version: program.version, model: job.model.id, chunk_ids: sources.map((s) => s.chunk_id) };
  try {
    const rag = await answerWithSources(env, { program, model: job.model, question: job.question, sources, requestId: job.requestId, onCall: job.onCall });
    // The first call is the example: its prompt is what the student will see at inference.
    const run = rag.runs[0]!;
    const { tokens } = await countChatTokens(run.example.messages, run.example.tools, job.model.encoding);
    const usage = rag.runs.reduce(
      (u, r) => ({ prompt_tokens: u.prompt_tokens + r.usage.prompt_tokens, completion_tokens: u.completion_tokens + r.usage.completion_tokens }),
      { prompt_tokens: 0, completion_tokens: 0 },
    );
    const cost = costUsd(job.model, { input: usage.prompt_tokens, output: usage.completion_tokens });
    const problem = qualityProblem(rag.output, program.output_schema);
    return {
      ...base,
      status: problem ? "rejected" : "labeled",
      reason: problem,
      example: JSON.stringify(run.example),
      tokens,
      usage: JSON.stringify(usage),
      cost_usd: cost,
    };
  } catch (err) {
    if (err instanceof ApiError && err.code === "unprocessable") {
      return { ...base, status: "rejected", reason: "invalid_output", example: null, tokens: null, usage: null, cost_usd: 0 };
    }
    throw err;
  }
}
