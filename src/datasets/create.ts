import { z } from "@hono/zod-openapi";
import type { TenantHandle } from "../durable/tenant";
import type { DatasetRecord } from "../durable/tenant/datasets";
import type { Bindings } from "../env";
import type { Estimate, GenerationRequest } from "./plan";

export type { Estimate } from "./plan";

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

/**
 * Validates a generation request and either estimates it (dry run: nothing stored,
 * no teacher call) or creates the dataset with one generation task per chunk and
 * queues them. Every check happens, in the tenant's object, before anything is written.
 */
export async function createGenerationDataset(
  env: Bindings,
  tenant: TenantHandle,
  body: GenerationRequest,
  requestId: string,
): Promise<{ dataset: DatasetRecord | null; estimate: Estimate }> {
  const { dataset, estimate, chunks } = await tenant.generation.plan(body);
  if (!dataset) return { dataset, estimate };
  for (let i = 0; i < chunks.length; i += 100) {
    await env.LABEL_QUEUE.sendBatch(
      chunks.slice(i, i + 100).map((chunk_id) => ({
        body: { type: "dataset.generate" as const, tenant_id: tenant.id, request_id: requestId, dataset_id: dataset.id, chunk_id },
      })),
    );
  }
  return { dataset, estimate };
}
