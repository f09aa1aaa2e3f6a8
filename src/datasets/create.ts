import type { TenantHandle } from "../durable/tenant";
import type { DatasetRecord } from "../durable/tenant/datasets";
import type { Bindings } from "../env";
import type { Estimate, GenerationRequest } from "./plan";

export type { Estimate } from "./plan";


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
