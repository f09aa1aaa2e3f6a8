import { openTenant } from "../../src/durable/tenant";
import { QUEUES } from "../../src/queues/messages";
import { api, bindings } from "./api";
import { deliver } from "./queues";

/**
 * Drains a dataset's work through the label consumer, as the queue would deliver it
 * (messages built from what the tenant's database says is pending), until nothing is
 * pending. `onRound` sees the dataset after each round (to check counts add up while draining).
 */
export async function drainDataset(
  t: { id: string; key: string },
  datasetId: string,
  opts: { requestId?: string; maxRounds?: number; onRound?: (dataset: any) => void } = {},
): Promise<any> {
  using tenant = openTenant(bindings, t.id);
  for (let round = 0; round < (opts.maxRounds ?? 50); round++) {
    const work = await tenant.generation.pending(datasetId, 50);
    if (work.chunks.length === 0 && work.questions.length === 0) break;
    const base = { tenant_id: t.id, request_id: opts.requestId ?? "drain", dataset_id: datasetId };
    const bodies = [
      ...work.chunks.map((chunk_id) => ({ ...base, type: "dataset.generate", chunk_id })),
      ...work.questions.map((question_id) => ({ ...base, type: "dataset.label", question_id })),
    ];
    await deliver(QUEUES.label, bodies, round + 1);
    opts.onRound?.((await api(`/api/datasets/${datasetId}`, { key: t.key })).body);
  }
  return (await api(`/api/datasets/${datasetId}`, { key: t.key })).body;
}
