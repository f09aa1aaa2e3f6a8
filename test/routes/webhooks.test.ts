import { describe, expect, it } from "vitest";
import { api, createTenant } from "../helpers/api";
import { assertNoSecretLeaked, registerSecret } from "../helpers/secrets";
import { WEBHOOK_HOST } from "../outbound/protocol";

const hook = (path = crypto.randomUUID()) => `https://${WEBHOOK_HOST}/${path}`;

/** Creates an endpoint; its secret, shown in this answer only, is watched for everywhere after. */
async function createEndpoint(key: string, json: unknown) {
  const res = await api("/api/webhooks", { method: "POST", key, json });
  if (res.status === 201) {
    assertNoSecretLeaked();
    registerSecret(res.body.secret);
  }
  return res;
}

describe("webhook endpoints", () => {
  it("creates an endpoint, shows its whsec_ secret once, and lists and reads it without the secret", async () => {
    const t = await createTenant();
    const url = hook();
    const created = await createEndpoint(t.key, { url, events: ["fine_tune.job.succeeded", "fine_tune.job.failed", "fine_tune.job.succeeded"] });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^wh_/),
      object: "webhook_endpoint",
      url,
      events: ["fine_tune.job.succeeded", "fine_tune.job.failed"],
      created_at: expect.any(Number),
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
    });
    const { secret, ...endpoint } = created.body;
    const list = await api("/api/webhooks", { key: t.key });
    expect(list.body).toEqual({ object: "list", data: [endpoint], first_id: endpoint.id, last_id: endpoint.id, has_more: false });
    const read = await api(`/api/webhooks/${endpoint.id}`, { key: t.key });
    expect(read.body).toEqual(endpoint);
    expect(list.text + read.text).not.toContain(secret);
  });

  it("refuses a URL that is not a public https one, naming the field and the reason", async () => {
    const t = await createTenant();
    for (const [url, reason] of [
      ["http://example.com/hook", "not_https"],
      ["https://169.254.169.254/latest", "private_address"],
      ["https://[::ffff:10.0.0.1]/", "private_address"],
      ["https://localhost/hook", "localhost"],
    ] as const) {
      const res = await createEndpoint(t.key, { url, events: ["*"] });
      expect(res.status, url).toBe(400);
      expect(res.body.error).toMatchObject({ code: "validation_failed", details: [{ path: "url", reason }] });
    }
    expect((await api("/api/webhooks", { key: t.key })).body.data).toEqual([]);
  });

  it("refuses unknown event types and empty subscriptions, and accepts a prefix or *", async () => {
    const t = await createTenant();
    for (const events of [["fine_tune.job.succeded"], ["retraining.*"], [], "fine_tune.job.succeeded"]) {
      const res = await createEndpoint(t.key, { url: hook(), events });
      expect(res.status, JSON.stringify(events)).toBe(400);
      expect(res.body.error.code).toBe("validation_failed");
    }
    expect((await createEndpoint(t.key, { url: hook(), events: ["fine_tune.*"] })).status).toBe(201);
    expect((await createEndpoint(t.key, { url: hook(), events: ["*"] })).status).toBe(201);
  });

  it("allows ten endpoints and refuses the eleventh with 409", async () => {
    const t = await createTenant();
    for (let i = 0; i < 10; i++) expect((await createEndpoint(t.key, { url: hook(), events: ["*"] })).status).toBe(201);
    const eleventh = await createEndpoint(t.key, { url: hook(), events: ["*"] });
    expect(eleventh.status).toBe(409);
    expect((await api("/api/webhooks", { key: t.key })).body.data).toHaveLength(10);
  });

  it("changes the URL or the events with PATCH, checking them as on create", async () => {
    const t = await createTenant();
    const { id } = (await createEndpoint(t.key, { url: hook(), events: ["*"] })).body;
    const url = hook("moved");
    const patched = await api(`/api/webhooks/${id}`, { method: "PATCH", key: t.key, json: { url, events: ["fine_tune.job.failed"] } });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body).toMatchObject({ id, url, events: ["fine_tune.job.failed"] });
    const refused = await api(`/api/webhooks/${id}`, { method: "PATCH", key: t.key, json: { url: "https://10.1.2.3/" } });
    expect(refused.status).toBe(400);
    expect((await api(`/api/webhooks/${id}`, { key: t.key })).body.url).toBe(url);
  });

  it("rotates the secret (a new one, shown once) and deletes the endpoint", async () => {
    const t = await createTenant();
    const created = (await createEndpoint(t.key, { url: hook(), events: ["*"] })).body;
    const rotated = await api(`/api/webhooks/${created.id}/rotate_secret`, { method: "POST", key: t.key });
    expect(rotated.status, rotated.text).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(created.secret);
    assertNoSecretLeaked();
    registerSecret(rotated.body.secret);

    const deleted = await api(`/api/webhooks/${created.id}`, { method: "DELETE", key: t.key });
    expect(deleted.body).toEqual({ id: created.id, object: "webhook_endpoint", deleted: true });
    expect((await api(`/api/webhooks/${created.id}`, { key: t.key })).status).toBe(404);
    expect((await api(`/api/webhooks/${created.id}`, { method: "DELETE", key: t.key })).status).toBe(404);
    expect((await api(`/api/webhooks/${created.id}/rotate_secret`, { method: "POST", key: t.key })).status).toBe(404);
  });
});
