import { beforeEach, describe, expect, it } from "vitest";
import { setClock } from "../../src/lib/clock";
import { QUEUES } from "../../src/queues/messages";
import { sampleDoc } from "../fixtures/samples";
import { citationsProgram } from "../programs/fixtures";
import { api, createTenant } from "../helpers/api";
import { drainDataset } from "../helpers/datasets";
import { deployRun, driveDeployment, TOGETHER_BASE } from "../helpers/deployments";
import { uniqueRun } from "../helpers/emulator";
import { drainEval } from "../helpers/evals";
import { createJob, driveJob, WHILE_OPENAI_TRAINS } from "../helpers/jobs";
import { deliver, ingestNow } from "../helpers/queues";
import { expectServedByStudent } from "../serving/helpers";

/*
 * The loop on a provider that outlives OpenAI's fine-tuning (issue 21): a Together student trained
 * with `deploy` and `evaluate`, deployed (its eval starts when the deployment serves), evaluated,
 * promoted by the rule, and answering through /openai/v1 with the official SDK. The rule's
 * thresholds are tested apart (test/promotion/); here only the plumbing is under test.
 */
beforeEach(() => setClock(WHILE_OPENAI_TRAINS));

describe("a Together student, end to end", () => {
  it("is trained, deployed, evaluated, promoted and answers through /openai/v1", async () => {
    const t = await createTenant();
    const rule = { auto_promote: true, min_scored: 3, require_wins_at_least_losses: false, min_faithfulness_lower_bound: -1, max_schema_validity_drop: 1 };
    expect((await api("/api/settings/promotion", { method: "PUT", key: t.key, json: rule })).status).toBe(200);
    const doc = await api("/api/documents", { method: "POST", key: t.key, json: { title: "Field guide", text: sampleDoc("field-guide.md") } });
    await ingestNow(t.id, doc.body.document.id);
    await api("/api/programs", { method: "POST", key: t.key, json: citationsProgram("tools", "citations") });
    const ds = await api("/api/datasets", { method: "POST", key: t.key, json: { name: "together-loop", program: "citations", questions_per_chunk: 2, max_questions: 30, eval_fraction: 0.3 } });
    expect(ds.status, ds.text).toBe(202);
    const dataset = await drainDataset(t, ds.body.id);

    const run = uniqueRun("together-loop");
    await deployRun(run);
    const created = await createJob(t.key, run, { dataset: dataset.latest_snapshot.id, provider: "together", base_model: TOGETHER_BASE, deploy: true, evaluate: true });
    expect(created.status, created.text).toBe(201);
    const { job } = await driveJob(t.id, created.body.id, run);
    expect(job.state).toBe("succeeded");
    const student = job.fine_tuned_model!;
    expect(job.eval_id).toMatch(/^ev_/);

    // Deployed: the student serves only once its deployment is ready.
    const listed = await api("/api/deployments", { key: t.key });
    expect(listed.body.data).toEqual([expect.objectContaining({ model: student, job_id: job.id, provider: "together" })]);
    const { deployment } = await driveDeployment(t.id, listed.body.data[0].id, run);
    expect(deployment.state).toBe("ready");

    // What the deployment object queued on the eval queue once it served (tests deliver batches themselves).
    await deliver(QUEUES.eval, [{ type: "eval.job", tenant_id: t.id, request_id: `${run}:eval`, job_id: job.id }]);
    const done = await drainEval(t, job.eval_id!);
    expect(done.status, JSON.stringify(done.error)).toBe("completed");
    expect(done.decision, JSON.stringify(done.decision)).toMatchObject({ decision: "promote", candidate: student, applied: true });

    await expectServedByStudent(t.key, student, "Which work introduced distilling knowledge with soft targets?");
  });
});
