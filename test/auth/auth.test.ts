import { describe, expect, it } from "vitest";
import { ADMIN_TOKEN, api, createTenant } from "../helpers/api";

describe("tenant auth", () => {
  it("rejects a request with no key", async () => {
    const res = await api("/api/keys");
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("unauthorized");
  });

  it("rejects a wrong key", async () => {
    const res = await api("/api/keys", { key: "dk_thisIsNotARealKeyAtAll0123456789abcd" });
    expect(res.status).toBe(401);
  });

  it("rejects a malformed Authorization header", async () => {
    const res = await api("/api/keys", { headers: { Authorization: "Basic abc" } });
    expect(res.status).toBe(401);
  });

  it("accepts a tenant's key and scopes every answer to that tenant", async () => {
    const a = await createTenant("a");
    const b = await createTenant("b");
    const listA = await api("/api/keys", { key: a.key });
    const listB = await api("/api/keys", { key: b.key });
    expect(listA.status).toBe(200);
    expect(listA.body.data).toHaveLength(1);
    expect(listB.body.data).toHaveLength(1);
    expect(listA.body.data[0].id).not.toBe(listB.body.data[0].id);
  });

  it("stops accepting a revoked key at once, and only that key", async () => {
    const t = await createTenant();
    const second = await api("/api/keys", { method: "POST", key: t.key, json: { name: "ci" } });
    expect(second.status).toBe(201);
    const revoke = await api(`/api/keys/${second.body.id}`, { method: "DELETE", key: t.key });
    expect(revoke.status).toBe(200);
    expect(revoke.body.revoked_at).toBeTruthy();
    expect((await api("/api/keys", { key: second.body.key })).status).toBe(401);
    expect((await api("/api/keys", { key: t.key })).status).toBe(200);
  });

  it("cannot revoke another tenant's key (404, and the key keeps working)", async () => {
    const a = await createTenant("a");
    const b = await createTenant("b");
    const bKeys = await api("/api/keys", { key: b.key });
    const res = await api(`/api/keys/${bKeys.body.data[0].id}`, { method: "DELETE", key: a.key });
    expect(res.status).toBe(404);
    expect((await api("/api/keys", { key: b.key })).status).toBe(200);
  });

  it("rejects a key whose KV index entry points at a tenant that does not hold it", async () => {
    // A key is checked against its tenant's own database, not just the KV index.
    const a = await createTenant("a");
    const aKeys = await api("/api/keys", { key: a.key });
    await api(`/api/keys/${aKeys.body.data[0].id}`, { method: "DELETE", key: a.key });
    expect((await api("/api/keys", { key: a.key })).status).toBe(401);
  });
});

describe("admin auth", () => {
  it("refuses to create a tenant without the admin token", async () => {
    const res = await api("/admin/tenants", { method: "POST", json: { name: "x" } });
    expect(res.status).toBe(401);
  });

  it("refuses a tenant key on operator routes", async () => {
    const t = await createTenant();
    const res = await api("/admin/tenants", { method: "POST", key: t.key, json: { name: "x" } });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("forbidden");
  });

  it("refuses a wrong admin token", async () => {
    const res = await api("/admin/tenants", { key: "not-the-admin-token-at-all" });
    expect(res.status).toBe(401);
  });

  it("creates and lists tenants with the admin token, showing the key once", async () => {
    const created = await api("/admin/tenants", { method: "POST", key: ADMIN_TOKEN, json: { name: "listed" } });
    expect(created.status).toBe(201);
    expect(created.body.api_key.key).toMatch(/^dk_[A-Za-z0-9_-]{32}$/);
    const list = await api("/admin/tenants?limit=1000", { key: ADMIN_TOKEN });
    expect(list.status).toBe(200);
    expect(list.body.data.map((t: { id: string }) => t.id)).toContain(created.body.tenant.id);
    const keys = await api("/api/keys", { key: created.body.api_key.key });
    expect(JSON.stringify(keys.body)).not.toContain(created.body.api_key.key);
    expect(keys.body.data[0].prefix).toBe(created.body.api_key.key.slice(0, 10));
  });

  it("issues a key for an existing tenant, and 404s for an unknown one", async () => {
    const t = await createTenant();
    const issued = await api(`/admin/tenants/${t.id}/keys`, { method: "POST", key: ADMIN_TOKEN, json: { name: "ops" } });
    expect(issued.status).toBe(201);
    expect((await api("/api/keys", { key: issued.body.key })).status).toBe(200);
    const missing = await api(`/admin/tenants/tn_nope/keys`, { method: "POST", key: ADMIN_TOKEN, json: {} });
    expect(missing.status).toBe(404);
  });
});
