import { describe, expect, it } from "vitest";
import { api, createTenant } from "../helpers/api";
import { exampleLines } from "../helpers/jobs";

describe("POST /api/datasets/:id/freeze", () => {
  it("writes an open dataset's train and eval files and marks it ready; a repeat answers the same", async () => {
    const { key } = await createTenant();
    const created = await api("/api/datasets", { method: "POST", key, json: { name: "imported", eval_fraction: 0.25 } });
    const id = created.body.id as string;
    await api(`/api/datasets/${id}/import`, { method: "POST", key, headers: { "Content-Type": "application/x-ndjson" }, body: exampleLines(20) });

    const frozen = await api(`/api/datasets/${id}/freeze`, { method: "POST", key });
    expect(frozen.status).toBe(200);
    expect(frozen.body.status).toBe("ready");
    const { train, eval: evalFile } = frozen.body.files;
    expect(train.lines + evalFile.lines).toBe(20);
    expect(train.sha256).toMatch(/^[0-9a-f]{64}$/);

    const file = await api(`/api/datasets/${id}/files/train`, { key });
    expect(file.status).toBe(200);
    expect(file.text.trim().split("\n")).toHaveLength(train.lines);

    const again = await api(`/api/datasets/${id}/freeze`, { method: "POST", key });
    expect(again.status).toBe(200);
    expect(again.body.files.train.sha256).toBe(train.sha256);
  });

  it("refuses a dataset that is not open (a cancelled one) with 409, and another tenant's with 404", async () => {
    const { key } = await createTenant();
    const created = await api("/api/datasets", { method: "POST", key, json: { name: "stopped" } });
    await api(`/api/datasets/${created.body.id}/cancel`, { method: "POST", key });
    const res = await api(`/api/datasets/${created.body.id}/freeze`, { method: "POST", key });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: "conflict", details: { status: "cancelled" } });

    const other = await createTenant();
    const foreign = await api(`/api/datasets/${created.body.id}/freeze`, { method: "POST", key: other.key });
    expect(foreign.status).toBe(404);
  });
});
