import type { DocumentRecord } from "../durable/tenant/documents";
import type { GenerationConfig } from "../durable/tenant/generation";
import type { ProgramRecord } from "../durable/tenant/programs";
import type { Bindings } from "../env";
import { ApiError } from "../errors";
import { costUsd, loadCatalog, resolveModel } from "../llm";
import { assertModeSupported } from "../programs/models";
import { assertRagTemplate } from "../programs/rag";

/** What a tenant asks to generate (the body of POST /api/datasets with a program). */
export interface GenerationRequest {
  name: string;
  eval_fraction: number;
  program: string;
  documents?: string[];
  questions_per_chunk: number;
  question_prompt?: string;
  teacher_model?: string;
  top_k: number;
  max_questions?: number;
  max_cost_usd?: number;
  dry_run: boolean;
}

export interface Estimate {
  chunks: number;
  questions: number;
  teacher_calls: number;
  teacher_tokens: { input: number; output: number };
  cost_usd: number;
  teacher_model: string;
}

/** What planning reads of the tenant's own data (its Durable Object answers these from SQLite). */
export interface TenantCorpus {
  program(name: string): ProgramRecord | null;
  document(id: string): DocumentRecord | null;
  readyDocuments(ids: readonly string[] | null): string[];
  chunkRefs(documentIds: readonly string[]): { id: string; tokens: number }[];
}

/** Rough per-call overheads for the estimate (prompt framing, schema, answer). */
const EST = { genPrompt: 150, perQuestionOut: 30, labelPrompt: 300, labelOut: 200 };

/**
 * Checks a generation request against the tenant's corpus and the catalog, and plans it: the
 * dataset's settings, the chunks to ask questions of, and the estimate. Every check comes
 * before anything is written; the caller writes (or, for a dry run, does not).
 */
export function planGeneration(env: Bindings, req: GenerationRequest, corpus: TenantCorpus): { config: GenerationConfig; chunks: string[]; estimate: Estimate } {
  const program = corpus.program(req.program);
  if (!program) throw new ApiError("not_found", `No program ${req.program}.`);
  assertRagTemplate(program);
  for (const id of req.documents ?? []) {
    const doc = corpus.document(id);
    if (!doc || doc.status === "deleted") throw new ApiError("not_found", `No document ${id}.`);
  }
  const ready = corpus.readyDocuments(req.documents ?? null);
  if (ready.length === 0) {
    throw new ApiError("conflict", req.documents ? "None of the documents is ready yet." : "There are no ready documents to generate questions from.");
  }
  const catalog = loadCatalog(env);
  const teacher = resolveModel(catalog, req.teacher_model ?? catalog.defaults.teacher);
  assertModeSupported(teacher, program.mode);

  let chunks = corpus.chunkRefs(ready);
  if (req.max_questions) chunks = chunks.slice(0, Math.ceil(req.max_questions / req.questions_per_chunk));
  const questions = Math.min(chunks.length * req.questions_per_chunk, req.max_questions ?? Infinity);
  const avgChunk = chunks.reduce((n, c) => n + c.tokens, 0) / Math.max(chunks.length, 1);
  const input = chunks.reduce((n, c) => n + c.tokens + EST.genPrompt, 0) + questions * (req.top_k * avgChunk + EST.labelPrompt);
  const output = questions * (EST.perQuestionOut + EST.labelOut);
  const estimate: Estimate = {
    chunks: chunks.length,
    questions,
    teacher_calls: chunks.length + questions,
    teacher_tokens: { input: Math.round(input), output: Math.round(output) },
    cost_usd: Number(costUsd(teacher, { input, output }).toFixed(4)),
    teacher_model: teacher.id,
  };
  const config: GenerationConfig = {
    program: program.name,
    program_version: program.version,
    questions_per_chunk: req.questions_per_chunk,
    question_prompt: req.question_prompt ?? null,
    teacher_model: teacher.id,
    top_k: req.top_k,
    max_questions: req.max_questions ?? null,
    max_cost_usd: req.max_cost_usd ?? null,
  };
  return { config, chunks: chunks.map((c) => c.id), estimate };
}
