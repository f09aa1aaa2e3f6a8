import { describe, expect, it } from "vitest";
import { api, createTenant } from "../helpers/api";
import { drainDataset } from "../helpers/datasets";
import { emulatorClient, validateFile } from "../helpers/emulator";
import { ingestNow } from "../helpers/queues";
import { sampleDoc } from "../fixtures/samples";
import { citationsProgram } from "../programs/fixtures";

async function tenantWithCorpus() {
  const t = await createTenant();
  const doc = await api("/api/documents", { method: "POST", key: t.key, json: { title: "Field guide", text: sampleDoc("field-guide.md"), format: "markdown" } });
  await ingestNow(t.id, doc.body.document.id);
  await api("/api/programs", { method: "POST", key: t.key, json: citationsProgram("tools", "citations") });
  return { t, documentId: doc.body.document.id as string, chunks: (await api(`/api/documents/${doc.body.document.id}`, { key: t.key })).body.chunk_count as number };
}

function expectCountsAddUp(d: any) {
  const s = d.counts.by_status;
  expect(d.counts.rows).toBe(s.labeled + s.rejected + s.failed + s.pending);
}

describe("datasets: generate and label end to end", () => {
  it("generates questions per chunk, labels them through RAG, and writes a valid train.jsonl", async () => {
    const { t, chunks } = await tenantWithCorpus();
    const created = await api("/api/datasets", {
      method: "POST",
      key: t.key,
      json: { name: "citations-v1", program: "citations", questions_per_chunk: 1, top_k: 2, eval_fraction: 0.2 },
    });
    expect(created.status).toBe(202);
    expect(created.body.status).toBe("generating");
    expect(created.body.estimate.questions).toBe(chunks);

    const early = await api(`/api/datasets/${created.body.id}/files/train`, { key: t.key });
    expect(early.status).toBe(409);

    const done = await drainDataset(t, created.body.id, { onRound: expectCountsAddUp });
    expect(done.status).toBe("ready");
    expectCountsAddUp(done);
    expect(done.progress.tasks).toMatchObject({ pending: 0, done: chunks });
    expect(done.counts.rows).toBeGreaterThan(0);
    expect(done.counts.by_status.pending).toBe(0);
    expect(done.counts.labeled_by_split.train + done.counts.labeled_by_split.eval).toBe(done.counts.by_status.labeled);
    expect(done.progress.cost_usd).toBeGreaterThan(0);
    expect(done.latest_snapshot.files.train.lines).toBe(done.counts.labeled_by_split.train);

    const file = await api(`/api/datasets/${created.body.id}/files/train`, { key: t.key });
    expect(file.status).toBe(200);
    expect(file.headers.get("Content-Type")).toContain("ndjson");
    const uploaded = await emulatorClient().files.create({ file: new File([file.text], "train.jsonl"), purpose: "fine-tune" });
    const report = await validateFile(uploaded.id);
    expect(report.errors).toEqual([]);
    expect(report.examples).toBe(done.latest_snapshot.files.train.lines);
  });

  it("answers a dry run with an estimate and stores nothing", async () => {
    const { t, chunks } = await tenantWithCorpus();
    const res = await api("/api/datasets", {
      method: "POST",
      key: t.key,
      json: { name: "dry", program: "citations", questions_per_chunk: 2, dry_run: true },
    });
    expect(res.status).toBe(200);
    expect(res.body.estimate).toMatchObject({ chunks, questions: chunks * 2, teacher_calls: chunks * 3 });
    expect(res.body.estimate.cost_usd).toBeGreaterThan(0);
    expect((await api("/api/datasets", { key: t.key })).body.data).toEqual([]);
    expect((await api("/api/usage", { key: t.key })).body.data.filter((r: { kind: string }) => r.kind === "chat")).toEqual([]);
  });

  it("refuses bad requests with nothing made", async () => {
    const { t } = await tenantWithCorpus();
    const other = await createTenant("other");
    const cases: [unknown, number][] = [
      [{ name: "a", program: "nope" }, 404],
      [{ name: "b", program: "citations", documents: ["doc_nope"] }, 404],
      [{ name: "c", program: "citations", questions_per_chunk: 0 }, 400],
      [{ name: "d", program: "citations", top_k: 21 }, 400],
      [{ name: "e", program: "citations", eval_fraction: 1.5 }, 400],
      [{ name: "f", program: "citations", max_questions: 0 }, 400],
    ];
    for (const [json, status] of cases) expect((await api("/api/datasets", { method: "POST", key: t.key, json })).status).toBe(status);
    await api("/api/programs", { method: "POST", key: other.key, json: citationsProgram("tools", "citations") });
    expect((await api("/api/datasets", { method: "POST", key: other.key, json: { name: "g", program: "citations" } })).status).toBe(409);
    await api("/api/datasets", { method: "POST", key: t.key, json: { name: "taken" } });
    expect((await api("/api/datasets", { method: "POST", key: t.key, json: { name: "taken", program: "citations" } })).status).toBe(409);
    expect((await api("/api/datasets", { key: t.key })).body.data).toHaveLength(1);
  });

  it("cancels pending work, repeat-safe", async () => {
    const { t } = await tenantWithCorpus();
    const created = await api("/api/datasets", { method: "POST", key: t.key, json: { name: "c", program: "citations" } });
    const cancel = await api(`/api/datasets/${created.body.id}/cancel`, { method: "POST", key: t.key });
    expect(cancel.body.status).toBe("cancelled");
    expect((await api(`/api/datasets/${created.body.id}/cancel`, { method: "POST", key: t.key })).status).toBe(200);
    const after = await drainDataset(t, created.body.id);
    expect(after.status).toBe("cancelled");
    expect(after.progress.tasks.pending).toBe(0);
  });
});
