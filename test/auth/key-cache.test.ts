import { describe, expect, it } from "vitest";
import { KEY_CACHE_TTL_MS } from "../../src/auth/key-cache";
import { advanceClock, setClock, nowMs } from "../../src/lib/clock";
import { api, createTenant } from "../helpers/api";
import { revokeElsewhere } from "../security/revocation";

async function secondKey(key: string): Promise<{ id: string; key: string }> {
  const issued = await api("/api/keys", { method: "POST", key, json: { name: "cached" } });
  expect(issued.status).toBe(201);
  return { id: issued.body.id, key: issued.body.key };
}

describe("the per-isolate key cache", () => {
  it("keeps accepting a key revoked in another isolate until the bound, then refuses it", async () => {
    const t = await createTenant();
    const k = await secondKey(t.key);
    expect((await api("/api/keys", { key: k.key })).status).toBe(200);
    await revokeElsewhere(t.id, k.id, k.key);
    // Within the bound this isolate's verdict stands (no KV read, no object round trip)...
    advanceClock(KEY_CACHE_TTL_MS - 1_000);
    expect((await api("/api/keys", { key: k.key })).status).toBe(200);
    // ...and once it has passed, the object is asked again and refuses the key.
    advanceClock(1_000);
    const refused = await api("/api/keys", { key: k.key });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe("unauthorized");
    expect((await api("/api/keys", { key: t.key })).status).toBe(200);
  });

  it("refuses a key at once in the isolate that revoked it, though it was cached a moment before", async () => {
    const t = await createTenant();
    const k = await secondKey(t.key);
    expect((await api("/api/keys", { key: k.key })).status).toBe(200);
    expect((await api(`/api/keys/${k.id}`, { method: "DELETE", key: t.key })).status).toBe(200);
    expect((await api("/api/keys", { key: k.key })).status).toBe(401);
  });

  it("checks a cached key again when the clock moves backwards", async () => {
    const t = await createTenant();
    const k = await secondKey(t.key);
    expect((await api("/api/keys", { key: k.key })).status).toBe(200);
    await revokeElsewhere(t.id, k.id, k.key);
    setClock(nowMs() - 60_000);
    expect((await api("/api/keys", { key: k.key })).status).toBe(401);
  });

  it("answers many concurrent first requests with one key alike", async () => {
    const t = await createTenant();
    const k = await secondKey(t.key);
    const statuses = await Promise.all(Array.from({ length: 20 }, () => api("/api/keys?limit=1", { key: k.key }).then((r) => r.status)));
    expect(statuses).toEqual(Array(20).fill(200));
  });
});
