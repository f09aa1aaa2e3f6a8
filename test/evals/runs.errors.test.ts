import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openTenant } from "../../src/durable/tenant";
import { setClock } from "../../src/lib/clock";
import { api, bindings, createTenant } from "../helpers/api";
import { readyDataset, WHILE_OPENAI_TRAINS } from "../helpers/jobs";

/*
 * Bad input to POST /api/evals: a 4xx in the standard body, and nothing recorded or queued.
 * Every case runs against one tenant with a ready imported snapshot (no provider is called).
 */

const BASE = "gpt-4o-mini-2024-07-18";
let t: { id: string; key: string };
let snapshot: { id: string; name: string };
let source: string;

beforeAll(async () => {
  setClock(WHILE_OPENAI_TRAINS);
  t = await createTenant();
  snapshot = await readyDataset(t.key, { examples: 12, evalFraction: 0.5 });
  const all = await api(`/api/datasets/${snapshot.id}`, { key: t.key });
  source = all.body.snapshot_of;
});
beforeEach(() => setClock(WHILE_OPENAI_TRAINS));

async function nothingRecorded() {
  using tenant = openTenant(bindings, t.id);
  expect((await tenant.evals.list({ limit: 5 })).data).toEqual([]);
}

describe("POST /api/evals rejects bad input with a 4xx and records nothing", () => {
  const cases: Array<[string, () => Record<string, unknown>, number, RegExp]> = [
    ["a dataset that is not a snapshot", () => ({ dataset: source, models: [BASE] }), 400, /not a snapshot/],
    ["an unknown dataset", () => ({ dataset: "ds_nope", models: [BASE] }), 404, /No dataset/],
    ["a model in neither the registry nor the catalog", () => ({ dataset: snapshot.id, models: ["ft:gpt-4o-mini-2024-07-18:org:x:abc"] }), 400, /neither in this tenant's registry nor in the catalog/],
    ["an embedding model as a candidate", () => ({ dataset: snapshot.id, models: ["text-embedding-3-small"] }), 400, /not a chat model/],
    ["a judge model without tools", () => ({ dataset: snapshot.id, models: [BASE], judge_model: "text-embedding-3-small" }), 400, /does not support tools/],
    ["repeats out of range", () => ({ dataset: snapshot.id, models: [BASE], repeats: 6 }), 400, /repeats/],
    ["a cost cap below one question's estimate", () => ({ dataset: snapshot.id, models: [BASE], max_cost_usd: 0.0000001 }), 400, /below the estimate for even one question/],
    ["no candidate when the tenant has none to default to", () => ({ dataset: snapshot.id }), 400, /no servable candidate/],
    ["an unknown field", () => ({ dataset: snapshot.id, models: [BASE], nope: 1 }), 400, /./],
  ];
  for (const [name, body, status, message] of cases) {
    it(`answers ${status} for ${name}`, async () => {
      const res = await api("/api/evals", { method: "POST", key: t.key, json: body() });
      expect(res.status, res.text).toBe(status);
      expect(res.body.error.message).toMatch(message);
      expect(res.body.error.request_id).toBeTruthy();
      await nothingRecorded();
    });
  }

  it("answers 400 for a snapshot without an eval split", async () => {
    const noEval = await readyDataset(t.key, { examples: 6, evalFraction: 0 });
    const res = await api("/api/evals", { method: "POST", key: t.key, json: { dataset: noEval.id, models: [BASE] } });
    expect(res.status, res.text).toBe(400);
    expect(res.body.error.message).toMatch(/no labeled eval-split rows/);
    await nothingRecorded();
  });

  it("answers 404 for another tenant's dataset and another tenant's eval", async () => {
    const other = await createTenant();
    const res = await api("/api/evals", { method: "POST", key: other.key, json: { dataset: snapshot.id, models: [BASE] } });
    expect(res.status).toBe(404);
    const mine = await api("/api/evals", { method: "POST", key: t.key, json: { dataset: snapshot.id, models: [BASE], dry_run: true } });
    expect(mine.status).toBe(200);
    for (const path of ["/api/evals/ev_someone", "/api/evals/ev_someone/rows"]) expect((await api(path, { key: other.key })).status).toBe(404);
  });

  it("estimates a dry run without queuing anything", async () => {
    const res = await api("/api/evals", { method: "POST", key: t.key, json: { dataset: snapshot.id, models: [BASE], dry_run: true } });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ object: "eval.estimate", dataset_id: snapshot.id, models: [{ role: "incumbent" }, { id: BASE, role: "candidate" }] });
    expect(res.body.estimate.questions).toBeGreaterThan(0);
    expect(res.body.estimate.calls.answers).toBe(2 * res.body.estimate.questions);
    expect(res.body.estimate.cost_usd).toBeGreaterThan(0);
    await nothingRecorded();
  });
});
