import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { syncPointer } from "../../src/durable/tenant/active-model";
import { advanceClock, setClock } from "../../src/lib/clock";
import { loadCatalog } from "../../src/llm";
import { activePointer, POINTER_CACHE_MS } from "../../src/serving/pointer";
import { api, bindings, createTenant } from "../helpers/api";
import { kvPointer, registerFineTune, tenantStub, truthOf } from "./helpers";


const teacher = () => loadCatalog(bindings).defaults.teacher;
const activate = (key: string, model: string, headers: Record<string, string> = {}) =>
  api("/api/models/active", { method: "POST", key, json: { model, reason: "test" }, headers });
const rollback = (key: string, headers: Record<string, string> = {}) => api("/api/models/rollback", { method: "POST", key, json: {}, headers });

describe("POST /api/models/active", () => {
  it("activates a servable fine-tune as version 1, and KV's copy equals the object's truth", async () => {
    const t = await createTenant();
    const model = await registerFineTune(t.id);
    const res = await activate(t.key, model);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ changed: true, active_model: { object: "active_model", version: 1, model, provider: "together", served_as: "student" } });

    const truth = await truthOf(t.id);
    expect(truth).toMatchObject({ version: 1, model });
    expect(await kvPointer(t.id)).toEqual(truth);

    const registry = await api("/api/models", { key: t.key });
    expect(registry.body.active).toBe(model);
    expect(registry.body.active_model).toMatchObject({ version: 1, model });
    expect(registry.body.models[0]).toMatchObject({ id: model, status: "active" });
    expect(registry.body.versions).toEqual([expect.objectContaining({ version: 1, model, action: "activate", reason: "test" })]);
    expect(registry.body.history[0]).toMatchObject({ model, action: "activated" });
  });

  it("changes nothing when the model is already active (no new version)", async () => {
    const t = await createTenant();
    const model = await registerFineTune(t.id);
    await activate(t.key, model);
    const again = await activate(t.key, model);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ changed: false, active_model: { version: 1, model } });
    expect((await api("/api/models", { key: t.key })).body.versions).toHaveLength(1);
  });

  it("replays the first answer for a repeated Idempotency-Key", async () => {
    const t = await createTenant();
    const [a, b] = [await registerFineTune(t.id), await registerFineTune(t.id)];
    await activate(t.key, a);
    await activate(t.key, b);
    const first = await rollback(t.key, { "Idempotency-Key": "rb-1" });
    const second = await rollback(t.key, { "Idempotency-Key": "rb-1" });
    expect(second.headers.get("Idempotent-Replayed")).toBe("true");
    expect(second.body).toEqual(first.body);
    expect(first.body.active_model).toMatchObject({ version: 3, model: a });
    expect((await truthOf(t.id))?.version).toBe(3);
  });

  it("answers 409 'deploy it first' for a registered model that is not servable, and changes nothing", async () => {
    const t = await createTenant();
    const model = await registerFineTune(t.id, { servable: false });
    const res = await activate(t.key, model);
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: "conflict", message: expect.stringContaining("deploy it first") });
    expect(await truthOf(t.id)).toBeNull();
    expect(await kvPointer(t.id)).toBeNull();
    expect((await api("/api/models", { key: t.key })).body.active_model).toMatchObject({ version: 0, model: teacher(), served_as: "teacher" });
  });

  it("answers 404 for an unknown model and for another tenant's fine-tune", async () => {
    const [t, other] = await Promise.all([createTenant(), createTenant()]);
    const theirs = await registerFineTune(other.id);
    for (const model of ["no-such-model", theirs, "ft:gpt-4o-mini-2024-07-18:org:x:abc"]) {
      const res = await activate(t.key, model);
      expect(res.status, model).toBe(404);
      expect(res.body.error.code).toBe("not_found");
    }
    expect(await truthOf(t.id)).toBeNull();
  });

  it("refuses an embedding model with a 400", async () => {
    const t = await createTenant();
    const embedding = loadCatalog(bindings).models.find((m) => m.kind === "embedding")!.id;
    const res = await activate(t.key, embedding);
    expect(res.status).toBe(400);
    expect(await truthOf(t.id)).toBeNull();
  });
});

describe("POST /api/models/rollback", () => {
  it("goes back to the previous model, then to the teacher, then changes nothing", async () => {
    const t = await createTenant();
    const [a, b] = [await registerFineTune(t.id), await registerFineTune(t.id)];
    await activate(t.key, a);
    await activate(t.key, b);

    const toA = await rollback(t.key);
    expect(toA.body).toMatchObject({ changed: true, active_model: { version: 3, model: a, served_as: "student" } });
    const toTeacher = await rollback(t.key);
    expect(toTeacher.body).toMatchObject({ changed: true, active_model: { version: 4, model: teacher(), served_as: "teacher" } });
    const nothing = await rollback(t.key);
    expect(nothing.body).toMatchObject({ changed: false, active_model: { version: 4 } });

    const registry = (await api("/api/models", { key: t.key })).body;
    expect(registry.versions.map((v: { version: number; action: string; model: string }) => [v.version, v.action, v.model])).toEqual([
      [4, "rollback", teacher()],
      [3, "rollback", a],
      [2, "activate", b],
      [1, "activate", a],
    ]);
    expect(await kvPointer(t.id)).toEqual(await truthOf(t.id));
  });

  it("on a tenant that never activated anything changes nothing (version 0, the teacher)", async () => {
    const t = await createTenant();
    const res = await rollback(t.key);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ changed: false, active_model: { version: 0, model: teacher() } });
  });

  it("skips a previous model that can no longer serve (its base shut down) and goes to the teacher", async () => {
    setClock("2026-12-01T00:00:00Z");
    const t = await createTenant();
    const a = await registerFineTune(t.id, { openai: true });
    const b = await registerFineTune(t.id);
    await activate(t.key, a);
    await activate(t.key, b);
    setClock("2027-01-14T00:00:00Z"); // gpt-4o-mini-2024-07-18 and its fine-tunes shut down
    const res = await rollback(t.key);
    expect(res.body).toMatchObject({ changed: true, active_model: { version: 3, model: teacher(), served_as: "teacher" } });
    expect((await activate(t.key, a)).status).toBe(409);
  });
});

describe("the pointer in the isolate that changed it", () => {
  it("after a rollback, the next read here sees the previous model (its version asserted)", async () => {
    const t = await createTenant();
    const [a, b] = [await registerFineTune(t.id), await registerFineTune(t.id)];
    await activate(t.key, a);
    await activate(t.key, b);
    expect(await activePointer(bindings, t.id)).toMatchObject({ version: 2, model: b }); // now cached here
    await rollback(t.key);
    expect(await activePointer(bindings, t.id)).toMatchObject({ version: 3, model: a, served_as: "student" });
  });
});

describe("KV's copy of the pointer", () => {
  it("is re-written by the object's alarm when the write after a change failed: the object's truth wins", async () => {
    const t = await createTenant();
    const [a, b] = [await registerFineTune(t.id), await registerFineTune(t.id)];
    await activate(t.key, a);
    const stub = tenantStub(t.id);
    const failed = await runInDurableObject(stub, async (_i, state) => {
      // A change whose KV write fails: append v2 the way the surface does, with a KV that refuses.
      const { appendVersion } = await import("../../src/durable/tenant/active-model");
      appendVersion(state.storage.sql, { model: b, provider: "together", base_url: null, served_as: "student" }, { action: "activate", reason: null, eval_id: null, prior_version: 1 }, new Date().toISOString());
      const refusing = { put: () => Promise.reject(new Error("KV unavailable")) };
      return { ok: await syncPointer({ sql: state.storage.sql, storage: state.storage, env: bindings }, refusing), alarm: await state.storage.getAlarm() };
    });
    expect(failed.ok).toBe(false);
    expect(failed.alarm).not.toBeNull();
    expect(await kvPointer(t.id)).toMatchObject({ version: 1, model: a }); // stale until the repair

    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await kvPointer(t.id)).toEqual(await truthOf(t.id));
    expect(await kvPointer(t.id)).toMatchObject({ version: 2, model: b });
  });

  it("reaches another isolate's cache within the stated bound: the cached copy until POINTER_CACHE_MS, then KV", async () => {
    const t = await createTenant();
    const a = await registerFineTune(t.id);
    await activate(t.key, a);
    expect(await activePointer(bindings, t.id)).toMatchObject({ version: 1, model: a });
    // Another isolate's change, seen here only through KV (this isolate did not make it).
    await bindings.MODELS.put(`active:${t.id}`, JSON.stringify({ ...(await truthOf(t.id)), version: 2, model: "gpt-4.1-mini" }));
    advanceClock(POINTER_CACHE_MS / 2);
    expect((await activePointer(bindings, t.id)).version).toBe(1);
    advanceClock(POINTER_CACHE_MS / 2);
    expect(await activePointer(bindings, t.id)).toMatchObject({ version: 2, model: "gpt-4.1-mini" });
  });
});
