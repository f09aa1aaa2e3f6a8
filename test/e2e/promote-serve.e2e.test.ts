import { beforeEach, describe, expect, it } from "vitest";
import { setClock } from "../../src/lib/clock";
import { QUEUES } from "../../src/queues/messages";
import { activePointer } from "../../src/serving/pointer";
import { sampleDoc } from "../fixtures/samples";
import { citationsProgram } from "../programs/fixtures";
import { api, bindings, createTenant } from "../helpers/api";
import { drainDataset } from "../helpers/datasets";
import { uniqueRun } from "../helpers/emulator";
import { drainEval } from "../helpers/evals";
import { createJob, driveJob, jobRun, WHILE_OPENAI_TRAINS } from "../helpers/jobs";
import { deliver, ingestNow } from "../helpers/queues";
import { kvPointer, truthOf } from "../models/helpers";
import { expectServedByStudent } from "../serving/helpers";

/*
 * End to end on the emulator: a teacher-labeled dataset → a job with `evaluate: true` → its eval →
 * the promotion rule promotes the fine-tune over the base the tenant served, automatically → `/openai/v1/chat/completions` (the
 * official SDK) is answered by it, and its usage is in /api/usage. Small on purpose (the rule's
 * min_scored is the tenant's to set): a dozen eval questions keep the suite fast.
 */

const BASE = "gpt-4o-mini-2024-07-18";
beforeEach(() => setClock(WHILE_OPENAI_TRAINS));

describe("dataset → job → eval → automatic promotion → serving", () => {
  it("serves the fine-tuned student once the rule promotes it, and records its usage", async () => {
    const t = await createTenant();
    const rule = await api("/api/settings/promotion", { method: "PUT", key: t.key, json: {
      auto_promote: true,
      // The rule's thresholds are tested on their own (test/promotion/); here a student trained on a
      // few dozen rows must pass whatever the run's hashed eval split holds: only the plumbing is under test.
      // (30 questions at 0.3 put 4 or fewer in the eval split about 3 % of the time: 3 keeps it steady.)
      min_scored: 3,
      require_wins_at_least_losses: false,
      min_faithfulness_lower_bound: -1,
      max_schema_validity_drop: 1,
    } });
    expect(rule.status).toBe(200);
    const doc = await api("/api/documents", { method: "POST", key: t.key, json: { title: "Field guide", text: sampleDoc("field-guide.md") } });
    await ingestNow(t.id, doc.body.document.id);
    await api("/api/programs", { method: "POST", key: t.key, json: citationsProgram("tools", "citations") });
    const ds = await api("/api/datasets", { method: "POST", key: t.key, json: { name: "e2e-promote", program: "citations", questions_per_chunk: 3, max_questions: 30, eval_fraction: 0.3 } });
    expect(ds.status, ds.text).toBe(202);
    const dataset = await drainDataset(t, ds.body.id);

    const run = uniqueRun("promote-e2e");
    await jobRun(run);
    const created = await createJob(t.key, run, { dataset: dataset.latest_snapshot.id, provider: "openai", base_model: BASE, evaluate: true });
    expect(created.status, created.text).toBe(201);
    const { job } = await driveJob(t.id, created.body.id, run);
    expect(job.state).toBe("succeeded");
    const student = job.fine_tuned_model!;

    // Before: the tenant serves the untuned base (the incumbent the eval measures), and this isolate has read that pointer.
    expect((await api("/api/models/active", { method: "POST", key: t.key, json: { model: BASE, reason: "cheap to start" } })).status).toBe(200);
    expect(await activePointer(bindings, t.id)).toMatchObject({ version: 1, model: BASE });
    await deliver(QUEUES.eval, [{ type: "eval.job", tenant_id: t.id, request_id: `${run}:eval`, job_id: job.id }]);
    const done = await drainEval(t, job.eval_id!);
    expect(done.status, JSON.stringify(done.error)).toBe("completed");
    const seen = JSON.stringify(done.decision);
    expect(done.decision, seen).toMatchObject({ decision: "promote", candidate: student, applied: true });
    expect(done.report.decision.conditions.map((c: { name: string }) => c.name)).toEqual(["min_scored", "schema_validity", "faithfulness", "pairwise"]);

    // The switch: the object's truth, KV's copy, and this isolate's pointer agree.
    const truth = await truthOf(t.id);
    expect(truth).toMatchObject({ version: 2, model: student, served_as: "student", eval_id: job.eval_id });
    expect(await kvPointer(t.id)).toEqual(truth);
    expect(await activePointer(bindings, t.id)).toMatchObject({ version: 2, model: student });

    // An application with the official SDK, changed only in baseURL and apiKey.
    await expectServedByStudent(t.key, student, "Which chapter covers identifying birds by song?");
  }, 120_000);
});
