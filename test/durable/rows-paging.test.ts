import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { addRow, listRows, type NewRow } from "../../src/durable/tenant/datasets";
import { api, bindings, createTenant } from "../helpers/api";

const ROWS = 3_000;
const PAGE = 500;

function row(i: number): NewRow {
  return {
    id: `r${i}`,
    source: "import",
    status: i % 2 === 0 ? "labeled" : "rejected",
    reason: i % 2 === 0 ? null : "invalid_output",
    split: i % 5 === 0 ? "eval" : "train",
    question: null,
    example: `{"messages":[{"role":"user","content":"q${i}"}]}`,
    tokens: 10,
    program: null,
    program_version: null,
    model: null,
    usage: null,
    chunk_ids: null,
  };
}

/** Pages through a dataset of ROWS rows with listRows, inside the tenant's object, and reports rows read per page. */
async function pageThrough(filter: { status?: "labeled"; split?: "train" }) {
  const t = await createTenant();
  const ds = (await api("/api/datasets", { method: "POST", key: t.key, json: { name: `paging-${crypto.randomUUID().slice(0, 6)}` } })).body;
  // A second dataset's rows sit in the same table and must not be read either.
  const other = (await api("/api/datasets", { method: "POST", key: t.key, json: { name: `other-${crypto.randomUUID().slice(0, 6)}` } })).body;
  const stub = bindings.TENANT.get(bindings.TENANT.idFromName(t.id));
  return runInDurableObject(stub, (_instance, state) => {
    const sql = state.storage.sql;
    for (let i = 0; i < ROWS; i++) {
      addRow(sql, ds.id, row(i));
      addRow(sql, other.id, { ...row(i), id: `o${i}` });
    }
    const pages: { size: number; read: number }[] = [];
    let after: string | undefined;
    do {
      const page = listRows(sql, ds.id, { ...filter, limit: PAGE, ...(after ? { after } : {}) });
      pages.push({ size: page.data.length, read: page.rows_read });
      after = page.has_more ? page.data.at(-1)!.id : undefined;
    } while (after !== undefined);
    return pages;
  });
}

describe("paging a dataset's rows", () => {
  it("reads about one page of rows per page, not the whole dataset, when unfiltered", async () => {
    const pages = await pageThrough({});
    expect(pages.reduce((n, p) => n + p.size, 0)).toBe(ROWS);
    for (const p of pages) expect(p.read).toBeLessThanOrEqual(PAGE + 1);
  });

  it("reads in proportion to the page when filtered by status (half the rows match)", async () => {
    const pages = await pageThrough({ status: "labeled" });
    expect(pages.reduce((n, p) => n + p.size, 0)).toBe(ROWS / 2);
    // Every other row matches: a page of 500 walks ~1,000 rows of this dataset, never the 6,000 in the table.
    for (const p of pages) expect(p.read).toBeLessThanOrEqual(2 * (PAGE + 1));
    expect(pages.reduce((n, p) => n + p.read, 0)).toBeLessThanOrEqual(ROWS + pages.length * 2);
  });
});
