import { beforeEach, describe, expect, it } from "vitest";
import { setClock } from "../../src/lib/clock";
import { QUEUES } from "../../src/queues/messages";
import { sampleDoc } from "../fixtures/samples";
import { citationsProgram } from "../programs/fixtures";
import { api, createTenant } from "../helpers/api";
import { drainDataset } from "../helpers/datasets";
import { uniqueRun } from "../helpers/emulator";
import { drainEval } from "../helpers/evals";
import { createJob, driveJob, exampleLines, jobRun, WHILE_OPENAI_TRAINS } from "../helpers/jobs";
import { splitFor } from "../../src/datasets/split";
import { sha256Hex } from "../../src/lib/ids";
import { deliver, ingestNow } from "../helpers/queues";

/*
 * End to end on the emulator: a teacher-labeled dataset → a job with `evaluate: true` → its eval
 * (the job's model against the incumbent, the teacher here, with its base beside them) → a report
 * in which the fine-tuned student beats its base on faithfulness and schema validity (paired
 * intervals above 0; the emulator's profiles make a student trained on this many rows better), and
 * a CSV with one line per question.
 */

const BASE = "gpt-4o-mini-2024-07-18";
beforeEach(() => setClock(WHILE_OPENAI_TRAINS));

describe("a job with evaluate: true", () => {
  it("evaluates its model when it succeeds: the student's paired differences against its base lie above 0", async () => {
    const t = await createTenant();
    const doc = await api("/api/documents", { method: "POST", key: t.key, json: { title: "Field guide", text: sampleDoc("field-guide.md") } });
    await ingestNow(t.id, doc.body.document.id);
    await api("/api/programs", { method: "POST", key: t.key, json: citationsProgram("tools", "citations") });
    const ds = await api("/api/datasets", { method: "POST", key: t.key, json: { name: "e2e", program: "citations", questions_per_chunk: 3, max_questions: 160, eval_fraction: 0.5 } });
    expect(ds.status, ds.text).toBe(202);
    await drainDataset(t, ds.body.id);
    // The emulator's students improve with the rows they trained on (log scale, full at 1000: emulator
    // README, "Model profiles"), so the train split is topped up with imported examples chosen to land in
    // train; the eval split stays the teacher's labeled program rows.
    const imported = await api(`/api/datasets/${ds.body.id}/import`, { method: "POST", key: t.key, headers: { "Content-Type": "application/x-ndjson" }, body: await trainOnly(ds.body.id, 0.5, 1000) });
    expect(imported.status, imported.text).toBe(200);
    const frozen = await api(`/api/datasets/${ds.body.id}/freeze`, { method: "POST", key: t.key });
    expect(frozen.status, frozen.text).toBe(200);
    const snapshot = frozen.body.id as string;

    const run = uniqueRun("ev-e2e");
    await jobRun(run);
    const created = await createJob(t.key, run, { dataset: snapshot, provider: "openai", base_model: BASE, evaluate: true });
    expect(created.status, created.text).toBe(201);
    const { job } = await driveJob(t.id, created.body.id, run);
    expect(job.state).toBe("succeeded");
    expect(job.eval_id).toMatch(/^ev_/);

    // What the job object queued on the eval queue (tests deliver every batch themselves).
    await deliver(QUEUES.eval, [{ type: "eval.job", tenant_id: t.id, request_id: `${run}:eval`, job_id: job.id }]);
    const done = await drainEval(t, job.eval_id!);
    expect(done.status, JSON.stringify(done.error)).toBe("completed");
    expect(done.job_id).toBe(job.id);
    expect(done.models.map((m: any) => m.id)).toEqual([expect.any(String), job.fine_tuned_model, BASE]);

    const student = done.report.models.find((m: any) => m.model === job.fine_tuned_model);
    const seen = JSON.stringify({ questions: done.questions, vs_base: student.paired_vs_base });
    expect(done.questions, seen).toBeGreaterThanOrEqual(30);
    expect(student.paired_vs_base.base).toBe(BASE);
    expect(student.paired_vs_base.metrics.faithfulness.interval.low, seen).toBeGreaterThan(0);
    expect(student.paired_vs_base.metrics.schema_validity.interval.low, seen).toBeGreaterThan(0);

    const csv = await api(`/api/evals/${job.eval_id}/rows?format=csv`, { key: t.key });
    expect(csv.status).toBe(200);
    expect(csvRecords(csv.text)).toBe(done.questions + 1);
  }, 120_000);
});

/** Records in RFC 4180 CSV (a quoted field may hold line breaks). */
function csvRecords(text: string): number {
  let records = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '"') quoted = !quoted;
    else if (!quoted && text[i] === "\n") records++;
  }
  return records;
}

/** `n` example lines whose import ids (as the import route makes them) land in the train split. */
async function trainOnly(datasetId: string, evalFraction: number, n: number): Promise<string> {
  const out: string[] = [];
  const lines = exampleLines(Math.ceil(n / (1 - evalFraction)) + 50, "e2e-train").trim().split("\n");
  for (const line of lines) {
    const id = `imp_${(await sha256Hex(`${datasetId}\n${line}`)).slice(0, 24)}`;
    if ((await splitFor(id, evalFraction)) === "train") out.push(line);
    if (out.length >= n) break;
  }
  return out.join("\n") + "\n";
}
