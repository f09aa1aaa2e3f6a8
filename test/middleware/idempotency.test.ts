import { describe, expect, it } from "vitest";
import { ADMIN_TOKEN, api, createTenant } from "../helpers/api";

describe("Idempotency-Key", () => {
  it("replays the first answer for a repeat with the same key and body", async () => {
    const t = await createTenant();
    const init = { method: "POST", key: t.key, json: { name: "ci" }, headers: { "Idempotency-Key": "k-1" } };
    const first = await api("/api/keys", init);
    const again = await api("/api/keys", init);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect(again.body.id).toBe(first.body.id);
    const list = await api("/api/keys", { key: t.key });
    expect(list.body.data).toHaveLength(2); // the initial key + one, not two
  });

  it("409s the same key with another body", async () => {
    const t = await createTenant();
    await api("/api/keys", { method: "POST", key: t.key, json: { name: "a" }, headers: { "Idempotency-Key": "k-2" } });
    const other = await api("/api/keys", {
      method: "POST",
      key: t.key,
      json: { name: "b" },
      headers: { "Idempotency-Key": "k-2" },
    });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe("idempotency_conflict");
  });

  it("scopes keys per tenant", async () => {
    const a = await createTenant("a");
    const b = await createTenant("b");
    const init = (key: string) => ({ method: "POST", key, json: { name: "x" }, headers: { "Idempotency-Key": "shared" } });
    const ra = await api("/api/keys", init(a.key));
    const rb = await api("/api/keys", init(b.key));
    expect(rb.headers.get("Idempotent-Replayed")).toBeNull();
    expect(rb.body.id).not.toBe(ra.body.id);
  });

  it("makes tenant creation safe to retry", async () => {
    const init = { method: "POST", key: ADMIN_TOKEN, json: { name: "once" }, headers: { "Idempotency-Key": "tenant-once" } };
    const first = await api("/admin/tenants", init);
    const again = await api("/admin/tenants", init);
    expect(again.body.tenant.id).toBe(first.body.tenant.id);
  });

  it("replays a validation failure for the same key and body: the answer is final", async () => {
    const t = await createTenant();
    const bad = { method: "POST", key: t.key, json: { name: 5 }, headers: { "Idempotency-Key": "k-3" } };
    expect((await api("/api/keys", bad)).status).toBe(400);
    const replay = await api("/api/keys", bad);
    expect(replay.status).toBe(400);
    expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
  });

  it("rejects a malformed key", async () => {
    const t = await createTenant();
    const res = await api("/api/keys", { method: "POST", key: t.key, json: {}, headers: { "Idempotency-Key": "has space" } });
    expect(res.status).toBe(400);
  });
});
