import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { commitStaged, DUPLICATES_SQL, stageRows, type StagedRow } from "../../src/durable/tenant/import-staging";
import { bindings, createTenant } from "../helpers/api";

const row = (n: number, line: number): StagedRow => ({ id: `imp_${String(n).padStart(6, "0")}`, split: "train", example: `{"n":${n}}`, tokens: 3, line });

describe("an import's commit", () => {
  it("finds its duplicates in one pass over the staged rows sorted by id, not by seeking per row in the file's order", async () => {
    const t = await createTenant();
    const stub = bindings.TENANT.get(bindings.TENANT.idFromName(t.id));
    const STAGED = 600;
    const { earlier, committed, plan } = await runInDurableObject(stub, (_instance, state) => {
      const sql = state.storage.sql;
      const dataset = "ds_stage";
      // An earlier import holds rows 0..29; this one repeats them, and repeats rows 100..149 within itself.
      stageRows(sql, "imp_a", dataset, 0, Array.from({ length: 30 }, (_, i) => row(i, i + 1)));
      const earlier = commitStaged(sql, "imp_a", dataset);
      const rows = Array.from({ length: STAGED - 50 }, (_, i) => row(i, i + 1));
      for (let i = 0; i < 50; i++) rows.push(row(100 + i, STAGED - 50 + i + 1));
      stageRows(sql, "imp_b", dataset, 0, rows);
      const plan = sql
        .exec<{ detail: string }>(`EXPLAIN QUERY PLAN ${DUPLICATES_SQL}`, "imp_b", dataset)
        .toArray()
        .map((r) => r.detail);
      return { earlier, committed: commitStaged(sql, "imp_b", dataset), plan };
    });
    expect(earlier).toMatchObject({ added: 30, already_in_dataset: 0, in_file: 0 });
    expect(committed).toMatchObject({ added: STAGED - 50 - 30, already_in_dataset: 30, in_file: 50 });
    expect(committed.lines[0]).toEqual({ line: 1, row_id: "imp_000000" });
    expect(committed.lines.find((l) => l.line === STAGED - 49)).toEqual({ line: STAGED - 49, row_id: "imp_000100", first_line: 101 });
    // The staged rows read once, in the order staged, and sorted by id once; the dataset sought once per row.
    expect(plan.filter((d) => /import_staging/.test(d))).toEqual(["SEARCH import_staging USING INDEX sqlite_autoindex_import_staging_1 (import_id=?)"]);
    expect(plan.filter((d) => /TEMP B-TREE/.test(d))).toHaveLength(1);
    expect(plan.filter((d) => /dataset_rows/.test(d))).toHaveLength(1);
  });
});
