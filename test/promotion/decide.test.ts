import { describe, expect, it } from "vitest";
import { openTenant } from "../../src/durable/tenant";
import type { PromotionEvidence } from "../../src/promotion/rule";
import { api, bindings, createTenant } from "../helpers/api";
import { kvPointer, registerFineTune, truthOf } from "../models/helpers";
import { loadCatalog } from "../../src/llm";

const winning = (candidate: string, incumbent: string): PromotionEvidence => ({
  candidate,
  incumbent,
  scored: 40,
  schema_validity: { candidate: 1, incumbent: 0.97 },
  faithfulness_diff_lower: 0.02,
  pairwise: { wins: 20, losses: 5, ties: 15 },
});

async function decide(tenantId: string, evalId: string, evidence: PromotionEvidence) {
  using tenant = openTenant(bindings, tenantId);
  return tenant.activeModel.decide(evalId, evidence);
}

const teacher = () => loadCatalog(bindings).defaults.teacher;

describe("a decision on an eval's evidence", () => {
  it("with auto_promote on, promotes the winner: a new version naming the eval, KV equal to the truth", async () => {
    const t = await createTenant();
    await api("/api/settings/promotion", { method: "PUT", key: t.key, json: { auto_promote: true } });
    const student = await registerFineTune(t.id);
    const d = await decide(t.id, "eval_1", winning(student, teacher()));
    expect(d).toMatchObject({ decision: "promote", applied: true, version: 1, eval_id: "eval_1", not_applied_reason: null });
    expect(d.conditions.every((c) => c.passed)).toBe(true);
    expect(await truthOf(t.id)).toMatchObject({ version: 1, model: student, eval_id: "eval_1" });
    expect(await kvPointer(t.id)).toEqual(await truthOf(t.id));
    const registry = (await api("/api/models", { key: t.key })).body;
    expect(registry.versions[0]).toMatchObject({ action: "promote", eval_id: "eval_1" });
  });

  it("decides once per eval: a repeated completion answers the stored decision and switches nothing", async () => {
    const t = await createTenant();
    await api("/api/settings/promotion", { method: "PUT", key: t.key, json: { auto_promote: true } });
    const student = await registerFineTune(t.id);
    const first = await decide(t.id, "eval_1", winning(student, teacher()));
    await api("/api/models/rollback", { method: "POST", key: t.key });
    const again = await decide(t.id, "eval_1", winning(student, teacher()));
    expect(again).toEqual(first);
    expect(await truthOf(t.id)).toMatchObject({ version: 2, model: teacher() });
  });

  it("with auto_promote off (the default), records 'promote' and leaves the switch alone", async () => {
    const t = await createTenant();
    const student = await registerFineTune(t.id);
    const d = await decide(t.id, "eval_1", winning(student, teacher()));
    expect(d).toMatchObject({ decision: "promote", applied: false, version: null, not_applied_reason: expect.stringContaining("auto_promote is off") });
    expect(await truthOf(t.id)).toBeNull();
  });

  it("keeps the incumbent when a condition fails, with that condition's value", async () => {
    const t = await createTenant();
    await api("/api/settings/promotion", { method: "PUT", key: t.key, json: { auto_promote: true } });
    const student = await registerFineTune(t.id);
    const d = await decide(t.id, "eval_1", { ...winning(student, teacher()), scored: 12 });
    expect(d).toMatchObject({ decision: "keep", applied: false });
    expect(d.conditions.find((c) => c.name === "min_scored")).toMatchObject({ passed: false, value: 12, threshold: 30 });
    expect(await truthOf(t.id)).toBeNull();
  });

  it("does not promote over an active model the eval did not measure, nor a candidate that needs a deployment", async () => {
    const t = await createTenant();
    await api("/api/settings/promotion", { method: "PUT", key: t.key, json: { auto_promote: true } });
    const [other, undeployed] = [await registerFineTune(t.id), await registerFineTune(t.id, { servable: false })];
    const student = await registerFineTune(t.id);
    await api("/api/models/active", { method: "POST", key: t.key, json: { model: other } });
    const stale = await decide(t.id, "eval_1", winning(student, teacher()));
    expect(stale).toMatchObject({ decision: "promote", applied: false, not_applied_reason: expect.stringContaining("no longer") });
    const needsDeploy = await decide(t.id, "eval_2", winning(undeployed, other));
    expect(needsDeploy).toMatchObject({ decision: "promote", applied: false, not_applied_reason: expect.stringContaining("deploy it first") });
    expect(await truthOf(t.id)).toMatchObject({ version: 1, model: other });
  });
});
