import { describe, expect, it } from "vitest";
import { api, createTenant } from "../helpers/api";

describe("/api/keys", () => {
  it("lists ids, prefixes and timestamps, never keys or hashes", async () => {
    const t = await createTenant();
    const res = await api("/api/keys", { key: t.key });
    const [k] = res.body.data;
    expect(Object.keys(k).sort()).toEqual(["created_at", "id", "last_used_at", "name", "object", "prefix", "revoked_at"]);
    expect(k.last_used_at).not.toBeNull();
  });

  it("revoking twice answers the same revoked key", async () => {
    const t = await createTenant();
    const extra = await api("/api/keys", { method: "POST", key: t.key, json: {} });
    const first = await api(`/api/keys/${extra.body.id}`, { method: "DELETE", key: t.key });
    const again = await api(`/api/keys/${extra.body.id}`, { method: "DELETE", key: t.key });
    expect(again.status).toBe(200);
    expect(again.body.revoked_at).toBe(first.body.revoked_at);
  });
});
