import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Tenant } from "../../src/durable/tenant";
import { QUEUES } from "../../src/queues/messages";
import { api, bindings, createTenant } from "../helpers/api";
import { deliver, ingestNow } from "../helpers/queues";
import { sampleDoc } from "../fixtures/samples";
import { citationsProgram } from "../programs/fixtures";

const tenantObject = (tenantId: string) => bindings.TENANT.get(bindings.TENANT.idFromName(tenantId));
const tripsOf = (tenantId: string) => runInDurableObject(tenantObject(tenantId), (t: Tenant) => t.trips.total);
const pending = (tenantId: string, datasetId: string) =>
  runInDurableObject(tenantObject(tenantId), (_t: Tenant, state) =>
    state.storage.sql
      .exec<{ id: string; kind: string }>(
        `SELECT chunk_id AS id, 'chunk' AS kind FROM gen_tasks WHERE dataset_id = ?1 AND status = 'pending'
         UNION ALL SELECT id, 'question' FROM dataset_rows WHERE dataset_id = ?1 AND status = 'pending'`,
        datasetId,
      )
      .toArray(),
  );

/**
 * Labels a generated dataset one label message per batch (the worst case: nothing shared
 * between questions) and returns the Tenant object's round trips for each message.
 */
async function labelTrips(body: Record<string, unknown>) {
  const t = await createTenant();
  const doc = await api("/api/documents", { method: "POST", key: t.key, json: { title: "Harbour", text: sampleDoc("kestrel-bay-harbour-notes.md") } });
  await ingestNow(t.id, doc.body.document.id);
  await api("/api/programs", { method: "POST", key: t.key, json: citationsProgram("tools", "citations") });
  const created = await api("/api/datasets", { method: "POST", key: t.key, json: { name: "trips", program: "citations", ...body } });
  const base = { tenant_id: t.id, request_id: "trips", dataset_id: created.body.id as string };
  const chunks = (await pending(t.id, base.dataset_id)).filter((w) => w.kind === "chunk");
  await deliver(QUEUES.label, chunks.map((c) => ({ ...base, type: "dataset.generate", chunk_id: c.id })));
  const questions = (await pending(t.id, base.dataset_id)).filter((w) => w.kind === "question");
  const perMessage: number[] = [];
  for (const q of questions) {
    const before = await tripsOf(t.id);
    await deliver(QUEUES.label, [{ ...base, type: "dataset.label", question_id: q.id }]);
    perMessage.push((await tripsOf(t.id)) - before);
  }
  const done = (await api(`/api/datasets/${base.dataset_id}`, { key: t.key })).body;
  return { perMessage, done };
}

/**
 * Measured on the table-operation Tenant object (one RPC method per SQL helper): 10 round trips
 * per labeled question, 11 with a spending cap (and 3 more, once per dataset, to write the files).
 */
const CASES = [
  { name: "without a spending cap", body: { questions_per_chunk: 4 }, atMost: 10 },
  { name: "with a spending cap", body: { questions_per_chunk: 4, max_cost_usd: 100 }, atMost: 11 },
];

describe("Tenant object round trips", () => {
  for (const c of CASES) {
    it(`labels a question in at most ${c.atMost} round trips to the tenant's object, ${c.name}`, async () => {
      const { perMessage, done } = await labelTrips(c.body);
      expect(done.status).toBe("ready");
      expect(done.counts.by_status.labeled).toBeGreaterThan(0);
      expect(perMessage.length).toBeGreaterThan(2);
      // The last message also writes the dataset's files (once per dataset, not per question).
      const tripsPerQuestion = Math.max(...perMessage.slice(0, -1));
      expect(tripsPerQuestion).toBeGreaterThan(0);
      expect(tripsPerQuestion).toBeLessThanOrEqual(c.atMost);
    });
  }
});
