import { describe, expect, it } from "vitest";
import { QUEUES } from "../../src/queues/messages";
import type { CaptureLabelMessage } from "../../src/serving/capture";
import type { Tenant } from "../../src/durable/tenant";
import { api, bindings, createTenant } from "../helpers/api";
import { flushUsage, pendingUsage } from "../helpers/usage";
import { runInDurableObject } from "cloudflare:test";
import { deliver } from "../helpers/queues";
import { ALBUM_SCHEMA, CONTEXT, setPointer, STUDENT, TEACHER, tenantClient } from "./helpers";

const question = `${CONTEXT}\nQuestion: Which album is this about?`;
const albumFormat = { type: "json_schema" as const, json_schema: { name: "album", schema: ALBUM_SCHEMA, strict: true } };

async function rows(key: string, dataset: string) {
  return (await api(`/api/datasets/${dataset}/rows`, { key })).body.data as Array<{ id: string; status: string; source: string; model: string | null; example: { messages: Array<{ role: string; content: string | null }> } }>;
}

describe("capture of /openai/v1 traffic", () => {
  it("records a teacher-served exchange as a labeled training row", async () => {
    const t = await createTenant();
    await api("/api/datasets", { method: "POST", key: t.key, json: { name: "live" } });
    const { client, settled } = tenantClient(t.key, { "Distillery-Capture": "live" });
    const res = await client.chat.completions.create({ model: "distillery:active", messages: [{ role: "user", content: question }], response_format: albumFormat }).withResponse();
    expect(res.response.headers.get("Distillery-Served-By")).toBe("teacher");
    await settled();
    const [row] = await rows(t.key, "live");
    expect(row).toMatchObject({ status: "labeled", source: "capture", model: TEACHER });
    expect(row!.example.messages.at(-1)).toMatchObject({ role: "assistant", content: res.data.choices[0]!.message.content });
  });

  it("records a streamed teacher answer as the row's assistant message", async () => {
    const t = await createTenant();
    await api("/api/datasets", { method: "POST", key: t.key, json: { name: "live" } });
    const { client, settled } = tenantClient(t.key, { "Distillery-Capture": "live" });
    const stream = await client.chat.completions.create({ model: "distillery:active", stream: true, messages: [{ role: "user", content: question }] });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
    await settled();
    const [row] = await rows(t.key, "live");
    expect(row).toMatchObject({ status: "labeled", model: TEACHER });
    expect(row!.example.messages.at(-1)).toEqual({ role: "assistant", content: text });
  });

  it("labels a student-served capture with the teacher's answer before it counts as a training row", async () => {
    const t = await createTenant();
    await setPointer(t.id, STUDENT);
    await api("/api/datasets", { method: "POST", key: t.key, json: { name: "live" } });
    const { client, settled } = tenantClient(t.key, { "Distillery-Capture": "live" });
    const res = await client.chat.completions.create({ model: "distillery:active", messages: [{ role: "user", content: question }], response_format: albumFormat }).withResponse();
    expect(res.response.headers.get("Distillery-Served-By")).toBe("student");
    await settled();

    // Stored as a prompt: the student's own answer is nowhere in the dataset.
    const [pending] = await rows(t.key, "live");
    expect(pending).toMatchObject({ status: "pending", model: null });
    expect(pending!.example.messages.map((m) => m.role)).toEqual(["user"]);
    const show = await api("/api/datasets/live", { key: t.key });
    expect(show.body.counts.by_status.labeled).toBe(0);

    // The label queue's message: the teacher answers the prompt, and only then is it a training row.
    const message: CaptureLabelMessage = { type: "capture.label", tenant_id: t.id, request_id: "capture-test", dataset_id: show.body.id, row_id: pending!.id };
    const result = await deliver(QUEUES.label, [message]);
    expect(result.explicitAcks).toHaveLength(1);
    const [labeled] = await rows(t.key, "live");
    expect(labeled).toMatchObject({ id: pending!.id, status: "labeled", model: TEACHER });
    expect(labeled!.example.messages.map((m) => m.role)).toEqual(["user", "assistant"]);
    expect(JSON.parse(labeled!.example.messages[1]!.content!)).toMatchObject({ year: 1969 });

    // A redelivery changes nothing.
    await deliver(QUEUES.label, [message]);
    expect(await rows(t.key, "live")).toEqual([labeled]);
  });

  it("captures by the tenant's sampled setting without the header (rate 1: every exchange; rate 0: none)", async () => {
    const t = await createTenant();
    await api("/api/datasets", { method: "POST", key: t.key, json: { name: "sampled" } });
    const set = (sample_rate: number) => api("/api/settings", { method: "PATCH", key: t.key, json: { serving: { capture: { dataset: "sampled", sample_rate } } } });
    expect((await set(1)).status).toBe(200);
    const { client, settled } = tenantClient(t.key);
    await client.chat.completions.create({ model: "distillery:active", messages: [{ role: "user", content: question }] });
    await settled();
    expect(await rows(t.key, "sampled")).toHaveLength(1);
    await set(0);
    await client.chat.completions.create({ model: "distillery:active", messages: [{ role: "user", content: question }] });
    await settled();
    expect(await rows(t.key, "sampled")).toHaveLength(1);
  });

  it("records usage only with Distillery-Capture-Payload: false", async () => {
    const t = await createTenant();
    await api("/api/datasets", { method: "POST", key: t.key, json: { name: "live" } });
    const { client, settled } = tenantClient(t.key, { "Distillery-Capture": "live", "Distillery-Capture-Payload": "false" });
    await client.chat.completions.create({ model: "distillery:active", messages: [{ role: "user", content: question }] });
    await settled();
    expect(await rows(t.key, "live")).toEqual([]);
    expect((await api("/api/usage", { key: t.key })).body.data).toHaveLength(1);
  });

  it("refuses a capture into a dataset the tenant does not have, before serving", async () => {
    const t = await createTenant();
    const { client, settled } = tenantClient(t.key, { "Distillery-Capture": "nope" });
    const err = await client.chat.completions.create({ model: "distillery:active", messages: [{ role: "user", content: question }] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 404 });
    await settled();
    expect((await api("/api/usage", { key: t.key })).body.data).toEqual([]);
  });

  it("leaves through the usage queue: a batch's captures and usage are one object write, and a redelivery stores nothing twice", async () => {
    const t = await createTenant();
    await api("/api/datasets", { method: "POST", key: t.key, json: { name: "live" } });
    const { client, finished } = tenantClient(t.key, { "Distillery-Capture": "live" });
    for (let i = 0; i < 3; i++) await client.chat.completions.create({ model: "distillery:active", messages: [{ role: "user", content: `${question} (${i})` }] });
    await finished();
    const messages = pendingUsage(t.id);
    expect(messages.filter((m) => m.type === "capture.record")).toHaveLength(3);
    expect(messages.filter((m) => m.type === "usage.record")).toHaveLength(3);
    // Nothing was written while serving.
    expect(await rows(t.key, "live")).toEqual([]);
    const trips = () => runInDurableObject(bindings.TENANT.get(bindings.TENANT.idFromName(t.id)), (o: Tenant) => Object.fromEntries(o.trips.byMethod));
    const before = await trips();
    expect((await flushUsage(t.id)).explicitAcks).toHaveLength(6);
    const after = await trips();
    expect((after["usage.intake"] ?? 0) - (before["usage.intake"] ?? 0)).toBe(1);
    expect(after["datasets.capture"] ?? 0).toBe(before["datasets.capture"] ?? 0);
    const stored = await rows(t.key, "live");
    expect(stored).toHaveLength(3);
    expect(stored.every((r) => r.status === "labeled" && r.source === "capture")).toBe(true);
    await deliver(QUEUES.usage, messages, 2);
    expect(await rows(t.key, "live")).toEqual(stored);
    expect((await api("/api/usage", { key: t.key })).body.totals.calls).toBe(3);
  });

  it("writes an exchange too large for a queue message directly", async () => {
    const t = await createTenant();
    await api("/api/datasets", { method: "POST", key: t.key, json: { name: "live" } });
    const { client, settled } = tenantClient(t.key, { "Distillery-Capture": "live" });
    const long = `${CONTEXT} ${"The harbour's tide tables list the high waters. ".repeat(3_000)}\nQuestion: Which album is this about?`;
    expect(long.length).toBeGreaterThan(128 * 1024);
    await client.chat.completions.create({ model: "distillery:active", messages: [{ role: "user", content: long }] });
    await settled();
    expect(pendingUsage(t.id).filter((m) => m.type === "capture.record")).toEqual([]);
    expect(await rows(t.key, "live")).toEqual([expect.objectContaining({ status: "labeled", source: "capture" })]);
  });
});
