import { beforeAll, describe, expect, it } from "vitest";
import { openTenant } from "../../src/durable/tenant";
import type { RowRecord } from "../../src/durable/tenant/datasets";
import { agreement, faithfulness, judgeFor, referenceOutput, replayer, schemaValidity } from "../../src/evals";
import { pairedDifference, type Score } from "../../src/evals/stats";
import { loadCatalog, resolveModel } from "../../src/llm";
import { sampleDoc } from "../fixtures/samples";
import { citationsProgram } from "../programs/fixtures";
import { api, bindings, createTenant } from "../helpers/api";
import { drainDataset } from "../helpers/datasets";
import { ingestNow } from "../helpers/queues";
import { trainEmulatorStudent } from "../helpers/emulator";

/*
 * Controls on the emulator, whose models differ by fixed profiles (emulator README, "Model
 * profiles"): the metrics and the paired statistics must find no difference where there is none
 * and the real one where training made it. Every draw is seeded, so the outcome is stable.
 */

const BASE = "gpt-4o-mini-2024-07-18";

interface Scores {
  faithfulness: Map<string, Score>;
  validity: Map<string, Score>;
  agreement: Map<string, Score>;
}

let rows: RowRecord[] = [];
const scores: Record<string, Scores> = {};

async function scoreModel(tenantId: string, modelId: string, label: string): Promise<Scores> {
  using tenant = openTenant(bindings, tenantId);
  const ctx = { requestId: `controls-${label}` };
  const replayRow = replayer(bindings, tenant, ctx);
  const judge = judgeFor(bindings, ctx);
  const model = resolveModel(loadCatalog(bindings), modelId);
  const out: Scores = { faithfulness: new Map(), validity: new Map(), agreement: new Map() };
  await Promise.all(
    rows.map(async (row) => {
      const answer = await replayRow(row, model);
      const faith = await faithfulness(judge, { question: row.question!, output: answer.output, contexts: answer.contexts });
      out.faithfulness.set(row.id, faith.score);
      out.validity.set(row.id, schemaValidity({ schema: answer.schema, output: answer.output, raw: answer.raw, repaired: answer.repaired }).score);
      // The teacher's stored answer is the reference.
      out.agreement.set(row.id, agreement(referenceOutput(row), answer.output).score);
    }),
  );
  return out;
}

beforeAll(async () => {
  // The teacher labels questions about the sample field guide (full of author-year citations) through the citations program.
  const t = await createTenant();
  const doc = await api("/api/documents", { method: "POST", key: t.key, json: { title: "Field guide", text: sampleDoc("field-guide.md") } });
  await ingestNow(t.id, doc.body.document.id);
  await api("/api/programs", { method: "POST", key: t.key, json: citationsProgram("tools", "citations") });
  const created = await api("/api/datasets", { method: "POST", key: t.key, json: { name: "controls", program: "citations", questions_per_chunk: 2, max_questions: 120 } });
  expect(created.status).toBe(202);
  await drainDataset(t, created.body.id);
  using tenant = openTenant(bindings, t.id);
  rows = (await tenant.datasets.rows(created.body.id, { status: "labeled", limit: 500 })).data as RowRecord[];
  const [ten, thousand] = await Promise.all([trainEmulatorStudent(BASE, 10), trainEmulatorStudent(BASE, 1000)]);
  const models = { base: BASE, again: BASE, ten, thousand };
  await Promise.all(Object.entries(models).map(async ([label, id]) => (scores[label] = await scoreModel(t.id, id, label))));
}, 120_000);

describe("eval controls on the emulator", () => {
  it("has enough questions to decide on", () => {
    expect(rows.length).toBeGreaterThanOrEqual(40);
  });

  it("finds no difference between a model and itself (A/A): the paired intervals contain 0", () => {
    for (const metric of ["faithfulness", "validity", "agreement"] as const) {
      const d = pairedDifference(scores.again![metric], scores.base![metric], { seed: metric });
      expect(d.interval!.low).toBeLessThanOrEqual(0);
      expect(d.interval!.high).toBeGreaterThanOrEqual(0);
    }
  });

  it("cannot tell a student trained on 10 rows from its base: the paired intervals contain 0", () => {
    for (const metric of ["faithfulness", "validity", "agreement"] as const) {
      const d = pairedDifference(scores.ten![metric], scores.base![metric], { seed: metric });
      expect(d.interval!.low).toBeLessThanOrEqual(0);
      expect(d.interval!.high).toBeGreaterThanOrEqual(0);
    }
  });

  it("finds the fine-tuned student better than its base: faithfulness and schema-validity paired intervals lie above 0", () => {
    const faith = pairedDifference(scores.thousand!.faithfulness, scores.base!.faithfulness, { seed: "faithfulness" });
    const valid = pairedDifference(scores.thousand!.validity, scores.base!.validity, { seed: "validity" });
    const agree = pairedDifference(scores.thousand!.agreement, scores.base!.agreement, { seed: "agreement" });
    const seen = JSON.stringify({ rows: rows.length, faith, valid, agree });
    expect(faith.n_pairs).toBeGreaterThanOrEqual(30);
    expect(faith.interval!.low, seen).toBeGreaterThan(0);
    expect(valid.interval!.low, seen).toBeGreaterThan(0);
    // It also agrees with the teacher's answers more often.
    expect(agree.interval!.low, seen).toBeGreaterThan(0);
  });
});
