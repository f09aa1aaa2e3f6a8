import { describe, expect, it } from "vitest";
import { openTenant } from "../../src/durable/tenant";
import { requestFingerprint } from "../../src/middleware/idempotency";
import { ADMIN_TOKEN, api, bindings, createTenant } from "../helpers/api";

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

  it("409s the same key with another body, and keeps the first answer", async () => {
    const t = await createTenant();
    const init = { method: "POST", key: t.key, json: { name: "a" }, headers: { "Idempotency-Key": "k-2" } };
    const first = await api("/api/keys", init);
    const other = await api("/api/keys", {
      method: "POST",
      key: t.key,
      json: { name: "b" },
      headers: { "Idempotency-Key": "k-2" },
    });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe("idempotency_conflict");
    const again = await api("/api/keys", init);
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect(again.body.id).toBe(first.body.id);
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

  it("keeps no answer for a request refused by validation: the corrected retry with the same key runs", async () => {
    const t = await createTenant();
    const headers = { "Idempotency-Key": "k-3" };
    const bad = await api("/api/keys", { method: "POST", key: t.key, json: { name: 5 }, headers });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe("Invalid request body: name must be a string (got a number)");
    const fixed = await api("/api/keys", { method: "POST", key: t.key, json: { name: "ok" }, headers });
    expect(fixed.status).toBe(201);
    expect(fixed.headers.get("Idempotent-Replayed")).toBeNull();
    const again = await api("/api/keys", { method: "POST", key: t.key, json: { name: "ok" }, headers });
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect(again.body.id).toBe(fixed.body.id);
  });

  it("keeps no answer for a 415: the retry with the right Content-Type and the same key runs", async () => {
    const t = await createTenant();
    const headers = { "Idempotency-Key": "k-415" };
    const wrong = await api("/api/keys", {
      method: "POST",
      key: t.key,
      body: JSON.stringify({ name: "ci" }),
      headers: { ...headers, "Content-Type": "text/plain" },
    });
    expect(wrong.status).toBe(415);
    expect(wrong.body.error.message).toContain("application/json");
    const bare = await api("/api/keys", { method: "POST", key: t.key, body: JSON.stringify({ name: "ci" }), headers });
    expect(bare.status).toBe(415);
    const right = await api("/api/keys", { method: "POST", key: t.key, json: { name: "ci" }, headers });
    expect(right.status).toBe(201);
    expect(right.headers.get("Idempotent-Replayed")).toBeNull();
  });

  it("answers a concurrent twin 409 in progress and stores nothing for it", async () => {
    const t = await createTenant();
    const init = { method: "POST", key: t.key, json: { name: "twin" }, headers: { "Idempotency-Key": "k-twin" } };
    // The first request holds the key (reserved, its handler still running): reserve it as it would.
    const request = new Request("https://distillery.test/api/keys", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(init.json),
    });
    const fingerprint = await requestFingerprint(request, await request.clone().arrayBuffer());
    using tenant = openTenant(bindings, t.id);
    expect(await tenant.idempotency.begin("k-twin", fingerprint)).toBeNull();

    const twin = await api("/api/keys", init);
    expect(twin.status).toBe(409);
    expect(twin.body.error.code).toBe("idempotency_conflict");
    expect(twin.body.error.message).toContain("in progress");
    expect(twin.headers.get("Retry-After")).toBe("1");

    // The first one finishes: its answer, not the twin's 409, is what the key replays.
    const firstAnswer = { status: 201, contentType: "application/json", body: JSON.stringify({ id: "key_first" }) };
    await tenant.idempotency.complete("k-twin", firstAnswer);
    const retry = await api("/api/keys", init);
    expect(retry.status).toBe(201);
    expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
    expect(retry.body.id).toBe("key_first");
    const list = await api("/api/keys", { key: t.key });
    expect(list.body.data).toHaveLength(1); // the twin created nothing
  });

  it("counts the Content-Type in the request: the same bytes sent as another type are another request", async () => {
    const t = await createTenant();
    const headers = { "Idempotency-Key": "k-ct" };
    const text = "# Title\n\nSome words for the index.";
    const first = await api("/api/documents", {
      method: "POST",
      key: t.key,
      body: text,
      headers: { ...headers, "Content-Type": "text/plain" },
    });
    expect(first.status).toBe(202);
    const asMarkdown = await api("/api/documents", {
      method: "POST",
      key: t.key,
      body: text,
      headers: { ...headers, "Content-Type": "text/markdown" },
    });
    expect(asMarkdown.status).toBe(409);
    expect(asMarkdown.body.error.code).toBe("idempotency_conflict");
  });

  it("rejects a malformed key", async () => {
    const t = await createTenant();
    const res = await api("/api/keys", { method: "POST", key: t.key, json: {}, headers: { "Idempotency-Key": "has space" } });
    expect(res.status).toBe(400);
  });
});
