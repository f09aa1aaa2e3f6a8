import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { openTenant } from "../../src/durable/tenant";
import { api, bindings, createTenant } from "../helpers/api";
import { exampleLines } from "../helpers/jobs";
import { albumProgram } from "../programs/fixtures";

const ndjson = { "Content-Type": "application/x-ndjson" };

async function importedDataset(key: string, name: string, examples: number) {
  const created = await api("/api/datasets", { method: "POST", key, json: { name, eval_fraction: 0.25 } });
  const id = created.body.id as string;
  const imported = await api(`/api/datasets/${id}/import`, { method: "POST", key, headers: ndjson, body: exampleLines(examples, name) });
  expect(imported.status).toBe(200);
  return id;
}

describe("snapshots: freezing makes an immutable copy, the dataset stays open", () => {
  it("freezes into a snapshot whose files, counts and report keep agreeing while the source takes more rows", async () => {
    const { key } = await createTenant();
    const id = await importedDataset(key, "growing", 20);
    const v1 = (await api(`/api/datasets/${id}/freeze`, { method: "POST", key })).body;
    expect(v1).toMatchObject({ status: "ready", snapshot_of: id, version: 1, name: "growing@v1" });
    expect(v1.id).toMatch(/^snap_/);

    // The source stays open: more rows go in, and a second freeze is version 2 with them.
    const more = await api(`/api/datasets/${id}/import`, { method: "POST", key, headers: ndjson, body: exampleLines(30, "more") });
    expect(more.body.imported).toBe(30);
    const source = (await api(`/api/datasets/${id}`, { key })).body;
    expect(source).toMatchObject({ status: "open", snapshot_of: null, files: null, latest_snapshot: { id: v1.id, version: 1 } });
    expect(source.counts.by_status.labeled).toBe(50);
    const v2 = (await api(`/api/datasets/${id}/freeze`, { method: "POST", key })).body;
    expect(v2).toMatchObject({ status: "ready", version: 2 });
    expect(v2.files.train.lines + v2.files.eval.lines).toBe(50);

    // Version 1 is as it was: its counts, its rows, its files and its validation report are of its 20 rows.
    const first = (await api(`/api/datasets/${v1.id}`, { key })).body;
    expect(first.counts.by_status.labeled).toBe(20);
    expect(first.files).toEqual(v1.files);
    expect(first.counts.labeled_by_split).toEqual({ train: v1.files.train.lines, eval: v1.files.eval.lines });
    const rows = await api(`/api/datasets/${v1.id}/rows?limit=500`, { key });
    expect(rows.body.data).toHaveLength(20);
    const train = await api(`/api/datasets/${v1.id}/files/train`, { key });
    expect(train.headers.get("X-Content-SHA256")).toBe(v1.files.train.sha256);
    expect(train.text.trim().split("\n")).toHaveLength(v1.files.train.lines);
    // Together's bases outlive every announced shutdown, so the report answers at any test date.
    const report = await api(`/api/datasets/${v1.id}/validation?provider=together`, { key });
    expect(report.status).toBe(200);
    expect(report.body.examples).toBe(v1.files.train.lines);

    // A source's files are its latest ready snapshot's, and say which.
    const latest = await api(`/api/datasets/${id}/files/train`, { key });
    expect(latest.headers.get("Distillery-Snapshot")).toBe(v2.id);
    expect(latest.headers.get("X-Content-SHA256")).toBe(v2.files.train.sha256);
  });

  it("answers the latest snapshot again when nothing was added since", async () => {
    const { key } = await createTenant();
    const id = await importedDataset(key, "still", 12);
    const first = (await api(`/api/datasets/${id}/freeze`, { method: "POST", key })).body;
    const again = (await api(`/api/datasets/${id}/freeze`, { method: "POST", key })).body;
    expect(again.id).toBe(first.id);
    expect(again.files).toEqual(first.files);
  });

  it("refuses an import into a snapshot with 409 naming the source to add to, and writes nothing", async () => {
    const { key } = await createTenant();
    const id = await importedDataset(key, "closed", 12);
    const snapshot = (await api(`/api/datasets/${id}/freeze`, { method: "POST", key })).body;
    const res = await api(`/api/datasets/${snapshot.id}/import`, { method: "POST", key, headers: ndjson, body: exampleLines(5, "late") });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("conflict");
    expect(res.body.error.message).toContain(id);
    expect(res.body.error.details).toMatchObject({ dataset: snapshot.id, snapshot_of: id, closed: true });
    const after = (await api(`/api/datasets/${snapshot.id}`, { key })).body;
    expect(after.counts.rows).toBe(12);
    expect(after.files).toEqual(snapshot.files);
  });

  it("refuses a capture into a snapshot before the model is called, and still captures into its source", async () => {
    const t = await createTenant();
    await api("/api/datasets", { method: "POST", key: t.key, json: { name: "songs" } });
    await api("/api/programs", { method: "POST", key: t.key, json: albumProgram("tools") });
    const run = (dataset: string) =>
      api("/api/programs/album_tools/run", { method: "POST", key: t.key, json: { variables: { movie_name: "Heat" }, capture: { dataset } } });
    expect((await run("songs")).status).toBe(200);
    const snapshot = (await api("/api/datasets/songs/freeze", { method: "POST", key: t.key })).body;
    expect(snapshot.name).toBe("songs@v1");

    const refused = await run("songs@v1");
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain("snapshot");
    expect((await api(`/api/datasets/${snapshot.id}`, { key: t.key })).body.counts.rows).toBe(1);

    expect((await run("songs")).status).toBe(200);
    expect((await api("/api/datasets/songs", { key: t.key })).body.counts.rows).toBe(2);
  });

  it("lists a dataset's snapshots newest first in OpenAI's list shape, paged with after", async () => {
    const { key } = await createTenant();
    const id = await importedDataset(key, "versions", 10);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await api(`/api/datasets/${id}/freeze`, { method: "POST", key })).body.id);
      await api(`/api/datasets/${id}/import`, { method: "POST", key, headers: ndjson, body: exampleLines(2, `v${i}`) });
    }
    const page = (await api(`/api/datasets/${id}/snapshots?limit=2`, { key })).body;
    expect(page).toMatchObject({ object: "list", first_id: ids[2], last_id: ids[1], has_more: true });
    expect(page.data.map((s: { version: number }) => s.version)).toEqual([3, 2]);
    const next = (await api(`/api/datasets/${id}/snapshots?limit=2&after=${page.last_id}`, { key })).body;
    expect(next).toMatchObject({ first_id: ids[0], last_id: ids[0], has_more: false });
    // The list of datasets shows sources only.
    const listed = (await api("/api/datasets", { key })).body.data.map((d: { id: string }) => d.id);
    expect(listed).toEqual([id]);
  });

  it("deletes a source with its snapshots", async () => {
    const { key } = await createTenant();
    const id = await importedDataset(key, "gone", 10);
    const snapshot = (await api(`/api/datasets/${id}/freeze`, { method: "POST", key })).body;
    expect((await api(`/api/datasets/${id}`, { method: "DELETE", key })).status).toBe(200);
    expect((await api(`/api/datasets/${snapshot.id}`, { key })).status).toBe(404);
    expect((await api(`/api/datasets/${snapshot.id}/files/train`, { key })).status).toBe(404);
  });

  it("serves a dataset made ready before snapshots existed (its files on itself) as its own snapshot", async () => {
    const t = await createTenant();
    const id = await importedDataset(t.key, "legacy", 12);
    const snapshot = (await api(`/api/datasets/${id}/freeze`, { method: "POST", key: t.key })).body;
    // What an older version left: the source itself ready with the files, no snapshot record.
    await runInDurableObject(bindings.TENANT.get(bindings.TENANT.idFromName(t.id)), (_o, state) => {
      const sql = state.storage.sql;
      const files = sql.exec<{ files: string }>("SELECT files FROM datasets WHERE id = ?", snapshot.id).one().files;
      sql.exec("UPDATE datasets SET status = 'ready', files = ? WHERE id = ?", files, id);
      sql.exec("DELETE FROM datasets WHERE id = ?", snapshot.id);
    });
    const train = await api(`/api/datasets/${id}/files/train`, { key: t.key });
    expect(train.status).toBe(200);
    expect(train.headers.get("Distillery-Snapshot")).toBe(id);
    expect(train.headers.get("X-Content-SHA256")).toBe(snapshot.files.train.sha256);
  });

  it("records a capture that reaches a snapshot through a queue as rejected: closed in its source, never dropped", async () => {
    const t = await createTenant();
    const id = await importedDataset(t.key, "queued", 10);
    const snapshot = (await api(`/api/datasets/${id}/freeze`, { method: "POST", key: t.key })).body;
    using tenant = openTenant(bindings, t.id);
    const row = {
      id: `row_queued_${t.id}`,
      source: "capture" as const,
      status: "labeled" as const,
      reason: null,
      question: null,
      example: JSON.stringify({ messages: [{ role: "user", content: "hi" }, { role: "assistant", content: "hello" }] }),
      tokens: 5,
      program: null,
      program_version: null,
      model: null,
      usage: null,
      chunk_ids: null,
    };
    await expect(tenant.datasets.capture(snapshot.id, row)).rejects.toMatchObject({ code: "conflict" });
    expect(await tenant.datasets.capture(snapshot.id, row, { queued: true })).toEqual({ dataset: id, status: "rejected", reason: "closed" });
    const source = (await api(`/api/datasets/${id}`, { key: t.key })).body;
    expect(source.counts.rejected_by_reason).toEqual({ closed: 1 });
    expect((await api(`/api/datasets/${snapshot.id}`, { key: t.key })).body.counts.rows).toBe(10);
  });
});
