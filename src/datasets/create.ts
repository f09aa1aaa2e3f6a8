import { z } from "@hono/zod-openapi";
import { tenantStub } from "../durable/tenant";
import type { DatasetRecord } from "../durable/tenant/datasets";
import type { Bindings } from "../env";
import { ApiError } from "../errors";
import { newId } from "../lib/ids";
import { costUsd, loadCatalog, resolveModel } from "../llm";
import { assertModeSupported } from "../programs/models";
import { assertRagTemplate } from "../programs/rag";
import type { GenerationConfig } from "./steps";

export const generationFields = {
  program: z.string().min(1).optional().openapi({ description: "Program the teacher answers with; without it the dataset is empty, for captures" }),
  documents: z.array(z.string().min(1)).min(1).max(1000).optional().openapi({ description: "Default: every ready document" }),
  questions_per_chunk: z.number().int().min(1).max(10).default(1),
  question_prompt: z.string().min(1).max(4000).optional().openapi({ description: "Instruction for question generation; {n} is the count" }),
  teacher_model: z.string().optional(),
  top_k: z.number().int().min(1).max(20).default(2),
  max_questions: z.number().int().min(1).max(100_000).optional(),
  max_cost_usd: z.number().positive().max(100_000).optional(),
  dry_run: z.boolean().default(false),
};

/** Rough per-call overheads for the dry-run estimate (prompt framing, schema, answer). */
const EST = { genPrompt: 150, perQuestionOut: 30, labelPrompt: 300, labelOut: 200 };

export interface Estimate {
  chunks: number;
  questions: number;
  teacher_calls: number;
  teacher_tokens: { input: number; output: number };
  cost_usd: number;
  teacher_model: string;
}

type Body = { name: string; eval_fraction: number } & {
  program?: string;
  documents?: string[];
  questions_per_chunk: number;
  question_prompt?: string;
  teacher_model?: string;
  top_k: number;
  max_questions?: number;
  max_cost_usd?: number;
  dry_run: boolean;
};

/**
 * Validates a generation request and either estimates it (dry run: nothing stored,
 * no teacher call) or creates the dataset with one generation task per chunk and
 * queues them. Every check happens before anything is written.
 */
export async function createGenerationDataset(
  env: Bindings,
  tenantId: string,
  body: Body & { program: string },
  requestId: string,
): Promise<{ dataset: DatasetRecord | null; estimate: Estimate }> {
  const stub = tenantStub(env, tenantId);
  const program = await stub.getProgram(body.program);
  if (!program) throw new ApiError("not_found", `No program ${body.program}.`);
  assertRagTemplate(program);
  if (body.documents) {
    for (const id of body.documents) {
      const doc = await stub.getDocument(id);
      if (!doc || doc.status === "deleted") throw new ApiError("not_found", `No document ${id}.`);
    }
  }
  const ready = await stub.readyDocuments(body.documents ?? null);
  if (ready.length === 0) {
    throw new ApiError("conflict", body.documents ? "None of the documents is ready yet." : "There are no ready documents to generate questions from.");
  }
  const catalog = loadCatalog(env);
  const teacher = resolveModel(catalog, body.teacher_model ?? catalog.defaults.teacher);
  assertModeSupported(teacher, program.mode);

  let chunks: { id: string; tokens: number }[] = await stub.chunkRefs(ready);
  if (body.max_questions) chunks = chunks.slice(0, Math.ceil(body.max_questions / body.questions_per_chunk));
  const questions = Math.min(chunks.length * body.questions_per_chunk, body.max_questions ?? Infinity);
  const avgChunk = chunks.reduce((n, c) => n + c.tokens, 0) / Math.max(chunks.length, 1);
  const input = chunks.reduce((n, c) => n + c.tokens + EST.genPrompt, 0) + questions * (body.top_k * avgChunk + EST.labelPrompt);
  const output = questions * (EST.perQuestionOut + EST.labelOut);
  const estimate: Estimate = {
    chunks: chunks.length,
    questions,
    teacher_calls: chunks.length + questions,
    teacher_tokens: { input: Math.round(input), output: Math.round(output) },
    cost_usd: Number(costUsd(teacher, { input, output }).toFixed(4)),
    teacher_model: teacher.id,
  };
  if (body.dry_run) return { dataset: null, estimate };

  const config: GenerationConfig = {
    program: program.name,
    program_version: program.version,
    questions_per_chunk: body.questions_per_chunk,
    question_prompt: body.question_prompt ?? null,
    teacher_model: teacher.id,
    top_k: body.top_k,
    max_questions: body.max_questions ?? null,
    max_cost_usd: body.max_cost_usd ?? null,
  };
  const id = newId("ds");
  const dataset = await stub.startGeneration(
    { id, name: body.name, eval_fraction: body.eval_fraction, config: { ...config } },
    chunks.map((c) => c.id),
  );
  if (!dataset) throw new ApiError("conflict", `A dataset named ${body.name} exists.`);
  for (let i = 0; i < chunks.length; i += 100) {
    await env.LABEL_QUEUE.sendBatch(
      chunks.slice(i, i + 100).map((c) => ({
        body: { type: "dataset.generate" as const, tenant_id: tenantId, request_id: requestId, dataset_id: id, chunk_id: c.id },
      })),
    );
  }
  return { dataset, estimate };
}
