import { describe, expect, it } from "vitest";
import { decide } from "../../src/evals/runs/decision";
import { loadCatalog } from "../../src/llm";
import { activePointer } from "../../src/serving/pointer";
import { api, bindings, createTenant } from "../helpers/api";
import { kvPointer, registerFineTune, truthOf } from "../models/helpers";
import { winningReport } from "./fixtures";

const teacher = () => loadCatalog(bindings).defaults.teacher;
const ask = (tenantId: string, evalId: string, report: ReturnType<typeof winningReport>) =>
  decide({ env: bindings, tenantId, evalId, jobId: null, requestId: "test", report });

describe("the promotion rule as the evals' decision hook (registered by the Worker)", () => {
  it("promotes the winner when auto_promote is on: the decision names the version, the pointer here and in KV moves", async () => {
    const t = await createTenant();
    await api("/api/settings/promotion", { method: "PUT", key: t.key, json: { auto_promote: true } });
    const student = await registerFineTune(t.id);
    expect((await activePointer(bindings, t.id)).version).toBe(0); // cached here before the switch
    const d = await ask(t.id, "eval_hook_1", winningReport("eval_hook_1", teacher(), student));
    expect(d).toMatchObject({ decision: "promote", candidate: student, applied: true, reason: expect.stringContaining("now active (version 1)") });
    expect(d.conditions!.map((c) => [c.name, c.passed])).toEqual([["min_scored", true], ["schema_validity", true], ["faithfulness", true], ["pairwise", true]]);
    expect(await activePointer(bindings, t.id)).toMatchObject({ version: 1, model: student, eval_id: "eval_hook_1" });
    expect(await kvPointer(t.id)).toEqual(await truthOf(t.id));
  });

  it("answers 'keep' with the failing condition when the candidate loses", async () => {
    const t = await createTenant();
    await api("/api/settings/promotion", { method: "PUT", key: t.key, json: { auto_promote: true } });
    const student = await registerFineTune(t.id);
    const report = winningReport("eval_hook_2", teacher(), student);
    report.models[1]!.pairwise_vs_incumbent = { wins: 3, losses: 9, ties: 28, n_undetermined: 0, mean: 0.4, interval: null };
    const d = await ask(t.id, "eval_hook_2", report);
    expect(d).toMatchObject({ decision: "keep", applied: false, reason: expect.stringContaining("pairwise") });
    expect(d.conditions!.find((c) => c.name === "pairwise")).toMatchObject({ passed: false, value: -6, threshold: 0 });
    expect(await truthOf(t.id)).toBeNull();
  });
});
