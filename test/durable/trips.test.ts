import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { openTenant, type Tenant } from "../../src/durable/tenant";
import { QUEUES } from "../../src/queues/messages";
import { api, bindings, createTenant } from "../helpers/api";
import { generatedDataset } from "../helpers/datasets";
import { deliver } from "../helpers/queues";

const tenantObject = (tenantId: string) => bindings.TENANT.get(bindings.TENANT.idFromName(tenantId));
const tripsOf = (tenantId: string) => runInDurableObject(tenantObject(tenantId), (t: Tenant) => t.trips.total);

/**
 * Labels a generated dataset one label message per batch (the worst case: nothing shared
 * between questions) and returns the Tenant object's round trips for each message.
 */
async function labelTrips(body: Record<string, unknown>) {
  const { t, base, labels } = await generatedDataset(body);
  const perMessage: number[] = [];
  for (const label of labels) {
    const before = await tripsOf(t.id);
    await deliver(QUEUES.label, [label]);
    perMessage.push((await tripsOf(t.id)) - before);
  }
  const done = (await api(`/api/datasets/${base.dataset_id}`, { key: t.key })).body;
  return { perMessage, done };
}

/**
 * Before the use-case surfaces (one RPC method per SQL helper) one labeled question made 10 round
 * trips to its tenant's object, 11 with a spending cap. Now: open the generation surface, begin
 * (row, program, config, budget, lease), read the retrieved chunks, finish (label, cost, usage,
 * lease, dataset state): 4, cap or not. Writing the files, once per dataset, adds 5 (open the
 * datasets surface, take the snapshot, a page per split, the ready mark).
 */
const PER_QUESTION = 4;
const FILES = 5;
const CASES = [
  { name: "without a spending cap", body: { questions_per_chunk: 4 } },
  { name: "with a spending cap", body: { questions_per_chunk: 4, max_cost_usd: 100 } },
];

describe("Tenant object round trips", () => {
  for (const c of CASES) {
    it(`labels a question in at most ${PER_QUESTION} round trips to the tenant's object, ${c.name}`, async () => {
      const { perMessage, done } = await labelTrips(c.body);
      expect(done.status).toBe("ready");
      expect(done.counts.by_status.labeled).toBeGreaterThan(0);
      expect(perMessage.length).toBeGreaterThan(2);
      // The last message also writes the dataset's files (once per dataset, not per question).
      const tripsPerQuestion = Math.max(...perMessage.slice(0, -1));
      expect(tripsPerQuestion).toBeGreaterThan(0);
      expect(tripsPerQuestion).toBeLessThanOrEqual(PER_QUESTION);
      expect(perMessage.at(-1)).toBeLessThanOrEqual(PER_QUESTION + FILES);
    });
  }

  it("shares the surface and the begin among the questions of one batch", async () => {
    const { t, base, labels } = await generatedDataset({ questions_per_chunk: 4 });
    const before = await tripsOf(t.id);
    await deliver(QUEUES.label, labels);
    const trips = (await tripsOf(t.id)) - before;
    expect((await api(`/api/datasets/${base.dataset_id}`, { key: t.key })).body.status).toBe("ready");
    // One surface and one begin for the batch (LABEL_CONCURRENCY=4 grants every lease at once),
    // then the chunks' text and the finish per question, then the files.
    expect(labels.length).toBe(4);
    expect(trips).toBeLessThanOrEqual(2 + 2 * labels.length + FILES);
  });
});

describe("TenantHandle", () => {
  it("opens each surface once, on first use, and releases every surface it opened when disposed", async () => {
    const t = await createTenant();
    const counts = () => runInDurableObject(tenantObject(t.id), (o: Tenant) => ({ total: o.trips.total, released: o.trips.released, opened: o.trips.byMethod.get("datasets") ?? 0 }));
    const before = await counts();
    using tenant = openTenant(bindings, t.id);
    await tenant.datasets.list({ limit: 20 });
    await tenant.datasets.list({ limit: 20 });
    await tenant.programs.list({ limit: 20 });
    // Two surfaces opened (datasets once), three calls on them.
    expect(await counts()).toEqual({ total: before.total + 5, released: before.released, opened: before.opened + 1 });
    tenant[Symbol.dispose]();
    // A later use opens the surface again; the releases went ahead of it on the same stub.
    await tenant.programs.list({ limit: 20 });
    expect(await counts()).toMatchObject({ total: before.total + 7, released: before.released + 2 });
  });
});
