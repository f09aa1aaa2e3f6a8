import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { addRow, createDataset, countRows } from "../../src/durable/tenant/datasets";
import { markNearDuplicates, NEAR_DUPLICATE_THRESHOLD } from "../../src/durable/tenant/near-duplicates";
import { bindings } from "../helpers/api";

function row(id: string, question: string, answer: string) {
  const example = { messages: [{ role: "user", content: question }, { role: "assistant", content: answer }] };
  return {
    id, source: "generated" as const, status: "labeled" as const, reason: null, split: "train" as const, question,
    example: JSON.stringify(example), tokens: 10, program: "p", program_version: 1, model: "m", usage: null, chunk_ids: null,
  };
}

describe("near-duplicate filter", () => {
  it("rejects the later of two near-identical questions with the same answer, keeping one", async () => {
    const stub = bindings.TENANT.get(bindings.TENANT.idFromName("near-dup"));
    await runInDurableObject(stub, async (_i, state) => {
      const sql = state.storage.sql;
      createDataset(sql, { id: "ds1", name: "n", status: "labeling", eval_fraction: 0, config: {} });
      addRow(sql, "ds1", row("r1", "Which citations are about the tide tables of Kestrel Bay?", '{"a":1}'));
      addRow(sql, "ds1", row("r2", "Which citations are about tide tables of Kestrel Bay?", '{"a":1}')); // near-dup, same answer
      addRow(sql, "ds1", row("r3", "Which citations are about tide tables of Kestrel Bay?", '{"a":2}')); // same words, other answer
      addRow(sql, "ds1", row("r4", "Who maintains the harbour moorings?", '{"a":1}')); // same answer, other question
      expect(markNearDuplicates(sql, "ds1", NEAR_DUPLICATE_THRESHOLD)).toBe(1);
      const counts = countRows(sql, "ds1");
      expect(counts.rejected_by_reason).toEqual({ near_duplicate: 1 });
      expect(counts.by_status.labeled).toBe(3);
      const r2 = sql.exec<{ status: string }>("SELECT status FROM dataset_rows WHERE id = 'r2'").one();
      expect(r2.status).toBe("rejected");
    });
  });
});
