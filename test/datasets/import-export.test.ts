import { describe, expect, it } from "vitest";
import { api, bindings, createTenant } from "../helpers/api";
import { setClock } from "../../src/lib/clock";
import { WHILE_OPENAI_TRAINS } from "../helpers/jobs";
import { openTenant } from "../../src/durable/tenant";

function example(i: number) {
  return JSON.stringify({
    messages: [
      { role: "user", content: `Question number ${i}?` },
      { role: "assistant", content: JSON.stringify({ answer: `Answer ${i}` }) },
    ],
  });
}

function importFile(t: { key: string }, dataset: string, text: string, query = "") {
  return api(`/api/datasets/${dataset}/import${query}`, { method: "POST", key: t.key, headers: { "Content-Type": "application/x-ndjson" }, body: text });
}

describe("datasets: import, export, validation", () => {
  it("imports JSONL, exports it back identically, and re-importing adds nothing", async () => {
    const t = await createTenant();
    const ds = (await api("/api/datasets", { method: "POST", key: t.key, json: { name: "imp" } })).body;
    const file = Array.from({ length: 12 }, (_, i) => example(i)).join("\n") + "\n";
    const res = await importFile(t, ds.id, file);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ imported: 12, duplicates: 0, skipped: 0 });
    const exported = await api(`/api/datasets/${ds.id}/export`, { key: t.key });
    expect(exported.text).toBe(file);
    expect((await importFile(t, ds.id, file)).body).toMatchObject({ imported: 0, duplicates: 12, duplicates_already_in_dataset: 12 });
  });

  it("reports each duplicate line: the row the dataset already has, or the earlier line of the file it repeats", async () => {
    const t = await createTenant();
    const ds = (await api("/api/datasets", { method: "POST", key: t.key, json: { name: "dups" } })).body;
    const first = await importFile(t, ds.id, [example(1), example(2), example(1)].join("\n"));
    expect(first.body).toMatchObject({ imported: 2, duplicates: 1, duplicates_in_file: 1, duplicates_already_in_dataset: 0 });
    expect(first.body.duplicate_lines).toEqual([{ line: 3, row_id: expect.stringMatching(/^imp_/), first_line: 1 }]);
    const rowOfExample1 = first.body.duplicate_lines[0].row_id;

    const again = await importFile(t, ds.id, [example(3), example(1), example(3)].join("\n"));
    expect(again.body).toMatchObject({ imported: 1, duplicates: 2, duplicates_in_file: 1, duplicates_already_in_dataset: 1 });
    expect(again.body.duplicate_lines).toEqual([
      { line: 2, row_id: rowOfExample1 },
      { line: 3, row_id: expect.stringMatching(/^imp_/), first_line: 1 },
    ]);
    expect((await api(`/api/datasets/${ds.id}`, { key: t.key })).body.counts.rows).toBe(3);
  });

  it("reports every bad line with its number and imports nothing, or skips them on request", async () => {
    const t = await createTenant();
    const ds = (await api("/api/datasets", { method: "POST", key: t.key, json: { name: "bad" } })).body;
    const lines = [example(1), "{not json", example(2), JSON.stringify({ messages: [{ role: "user", content: "no answer" }] }), example(3)];
    const res = await importFile(t, ds.id, lines.join("\n"));
    expect(res.status).toBe(400);
    const bad = res.body.error.details.map((d: { line: number }) => d.line);
    expect(bad).toEqual(expect.arrayContaining([2, 4]));
    expect((await api(`/api/datasets/${ds.id}`, { key: t.key })).body.counts.rows).toBe(0);
    const skipped = await importFile(t, ds.id, lines.join("\n"), "?skip_invalid=true");
    expect(skipped.body).toMatchObject({ imported: 3, skipped: 2 });
  });

  it("refuses an import over the size limit", async () => {
    const t = await createTenant();
    const ds = (await api("/api/datasets", { method: "POST", key: t.key, json: { name: "big" } })).body;
    const res = await importFile(t, ds.id, "x".repeat(Number(bindings.MAX_DOCUMENT_BYTES) + 1));
    expect(res.status).toBe(413);
  });

  it("refuses more than 32 MiB or 100,000 lines with a 413 naming the limit, and stores nothing", async () => {
    const t = await createTenant();
    const ds = (await api("/api/datasets", { method: "POST", key: t.key, json: { name: "limits" } })).body;
    const big = await importFile(t, ds.id, "x".repeat(32 * 1024 * 1024 + 1));
    expect(big.status).toBe(413);
    expect(big.body.error).toMatchObject({ code: "payload_too_large", details: { max_bytes: 32 * 1024 * 1024 } });
    expect(big.body.error.message).toMatch(/limited to 33554432 bytes/);
    // Valid lines first, then one line too many: refused when the 100,001st line arrives.
    const lines = `${example(1)}\n`.repeat(10) + "\n".repeat(100_000 - 10) + `${example(2)}\n`;
    const many = await importFile(t, ds.id, lines);
    expect(many.status).toBe(413);
    expect(many.body.error).toMatchObject({ code: "payload_too_large", details: { max_lines: 100_000 } });
    expect(many.body.error.message).toMatch(/limited to 100000 lines/);
    const shown = await api(`/api/datasets/${ds.id}`, { key: t.key });
    expect(shown.body.counts.rows).toBe(0);
  });

  it("streams a large import in pages and, when its last line is bad, leaves no row, staged or visible", async () => {
    const t = await createTenant();
    const ds = (await api("/api/datasets", { method: "POST", key: t.key, json: { name: "pages" } })).body;
    // Four lines of ~700 KB: more than one 4 MiB page of rows is staged before the bad last line.
    const long = (i: number) =>
      JSON.stringify({ messages: [{ role: "user", content: `${i} ${"word ".repeat(140_000)}` }, { role: "assistant", content: "ok" }] });
    const file = [0, 1, 2, 3].map(long).join("\n") + "\n{not json}\n";
    const res = await importFile(t, ds.id, file);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/line 5/);
    const shown = await api(`/api/datasets/${ds.id}`, { key: t.key });
    expect(shown.body.counts.rows).toBe(0);
    using tenant = openTenant(bindings, t.id);
    expect(await tenant.datasets.staged()).toBe(0);
    // The same file without its bad line imports whole.
    const ok = await importFile(t, ds.id, [0, 1, 2, 3].map(long).join("\n"));
    expect(ok.body).toMatchObject({ imported: 4, duplicates: 0 });
    expect(await tenant.datasets.staged()).toBe(0);
  });

  it("validates the train split for a provider and base model, with token counts and cost", async () => {
    setClock(WHILE_OPENAI_TRAINS); // OpenAI's bases, reported on while they served
    const t = await createTenant();
    const ds = (await api("/api/datasets", { method: "POST", key: t.key, json: { name: "val", eval_fraction: 0 } })).body;
    await importFile(t, ds.id, Array.from({ length: 12 }, (_, i) => example(i)).join("\n"));
    const report = await api(`/api/datasets/${ds.id}/validation?provider=openai&epochs=3`, { key: t.key });
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({ examples: 12, valid: 12, epochs: 3, ok: true, min_examples: 10 });
    expect(report.body.billed_tokens_estimate).toBe(report.body.tokens.total * 3);
    expect(report.body.cost_usd_estimate).toBeGreaterThan(0);
    expect(report.body.warnings.length).toBeGreaterThan(0); // fewer than ~100 examples
    const wrongBase = await api(`/api/datasets/${ds.id}/validation?provider=openai&base_model=gpt-0`, { key: t.key });
    expect(wrongBase.status).toBe(400);
  });

  it("404s another tenant's dataset", async () => {
    const a = await createTenant("a");
    const b = await createTenant("b");
    const ds = (await api("/api/datasets", { method: "POST", key: a.key, json: { name: "mine" } })).body;
    expect((await api(`/api/datasets/${ds.id}`, { key: b.key })).status).toBe(404);
    expect((await importFile(b, ds.id, example(1))).status).toBe(404);
    expect((await api(`/api/datasets/${ds.id}/export`, { key: b.key })).status).toBe(404);
  });
});

describe("datasets: delete", () => {
  it("deletes rows and files; queued messages for it are then ignored", async () => {
    const t = await createTenant();
    const ds = (await api("/api/datasets", { method: "POST", key: t.key, json: { name: "gone" } })).body;
    await importFile(t, ds.id, example(1));
    const del = await api(`/api/datasets/${ds.id}`, { method: "DELETE", key: t.key });
    expect(del.status).toBe(200);
    expect((await api(`/api/datasets/${ds.id}`, { key: t.key })).status).toBe(404);
    expect((await api(`/api/datasets/${ds.id}`, { method: "DELETE", key: t.key })).status).toBe(404);
    const { deliver } = await import("../helpers/queues");
    const res = await deliver("distillery-label", [{ type: "dataset.label", tenant_id: t.id, request_id: "r", dataset_id: ds.id, question_id: "q_x" }]);
    expect(res.explicitAcks).toHaveLength(1);
  });
});
