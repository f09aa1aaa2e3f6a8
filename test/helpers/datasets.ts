import { openTenant } from "../../src/durable/tenant";
import { QUEUES } from "../../src/queues/messages";
import { sampleDoc } from "../fixtures/samples";
import { citationsProgram } from "../programs/fixtures";
import { api, bindings, createTenant } from "./api";
import { deliver, ingestNow } from "./queues";

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

/**
 * A tenant with one ingested document and the citations program, and a generated dataset (its
 * `body` merged in) whose questions are generated but none labeled: the label messages to send.
 */
export async function generatedDataset(body: Record<string, unknown> = {}) {
  const t = await createTenant();
  const doc = await api("/api/documents", { method: "POST", key: t.key, json: { title: "Harbour", text: sampleDoc("kestrel-bay-harbour-notes.md") } });
  await ingestNow(t.id, doc.body.document.id);
  await api("/api/programs", { method: "POST", key: t.key, json: citationsProgram("tools", "citations") });
  const created = await api("/api/datasets", { method: "POST", key: t.key, json: { name: "generated", program: "citations", ...body } });
  if (created.status !== 202) throw new Error(`dataset creation failed: ${created.status} ${created.text}`);
  const base = { tenant_id: t.id, request_id: "generated", dataset_id: created.body.id as string };
  using tenant = openTenant(bindings, t.id);
  const { chunks } = await tenant.generation.pending(base.dataset_id, 50);
  await deliver(QUEUES.label, chunks.map((chunk_id) => ({ ...base, type: "dataset.generate", chunk_id })));
  const { questions } = await tenant.generation.pending(base.dataset_id, 50);
  return { t, base, labels: questions.map((question_id) => ({ ...base, type: "dataset.label" as const, question_id })) };
}
