import { describe, expect, it } from "vitest";
import { api, createTenant } from "../helpers/api";
import { drainDataset } from "../helpers/datasets";
import { configureRun, runStats, uniqueRun } from "../helpers/emulator";
import { ingestNow } from "../helpers/queues";
import { sampleDoc } from "../fixtures/samples";
import { citationsProgram } from "../programs/fixtures";

async function labeledDataset(requestId?: string) {
  const t = await createTenant();
  const doc = await api("/api/documents", { method: "POST", key: t.key, json: { title: "Field guide", text: sampleDoc("field-guide.md") } });
  await ingestNow(t.id, doc.body.document.id);
  await api("/api/programs", { method: "POST", key: t.key, json: citationsProgram("tools", "citations") });
  const headers = requestId ? { "X-Request-Id": `${requestId}create` } : undefined;
  const created = await api("/api/datasets", { method: "POST", key: t.key, headers, json: { name: "ds", program: "citations", top_k: 2 } });
  const done = await drainDataset(t, created.body.id, { requestId: requestId ? `${requestId}drain` : "clean", maxRounds: 200 });
  const rows = await api(`/api/datasets/${created.body.id}/rows?limit=500`, { key: t.key });
  return { done, rows: rows.body.data as { question: string; status: string; reason: string | null; example: unknown; split: string }[] };
}

const byQuestion = (rows: { question: string; status: string; reason: string | null; example: unknown }[]) =>
  Object.fromEntries(rows.map((r) => [r.question, { status: r.status, reason: r.reason, example: r.example }]));

describe("datasets under provider faults", () => {
  it("ends with the same rows as a clean run when a third of calls get 429 and a tenth 500", async () => {
    const clean = await labeledDataset();
    const run = uniqueRun("faults");
    await configureRun(run, { faults: { seed: 7, rate_429: 1 / 3, rate_500: 1 / 10 } });
    const faulty = await labeledDataset(`${run}:`);
    const stats = await runStats(run);
    expect((stats.faults["429"] ?? 0) + (stats.faults["500"] ?? 0)).toBeGreaterThan(10);

    expect(faulty.done.status).toBe("ready");
    // Splits hang on question ids, which name their dataset: compare everything else.
    const { by_split: _a, labeled_by_split: _b, ...faultyCounts } = faulty.done.counts;
    const { by_split: _c, labeled_by_split: _d, ...cleanCounts } = clean.done.counts;
    expect(faultyCounts).toEqual(cleanCounts);
    expect(byQuestion(faulty.rows)).toEqual(byQuestion(clean.rows));
    const questions = faulty.rows.map((r) => r.question);
    expect(new Set(questions).size).toBe(questions.length);
    expect(faulty.done.latest_snapshot.files.train.lines + faulty.done.latest_snapshot.files.eval.lines).toBe(faulty.done.counts.by_status.labeled);
  });
});
