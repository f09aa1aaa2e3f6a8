import { describe, expect, it } from "vitest";
import { api, createTenant } from "../helpers/api";
import { configureRun, runStats, uniqueRun } from "../helpers/emulator";
import { ALBUM_SCHEMA, CONTEXT, setPointer, STUDENT, TEACHER, tenantClient } from "./helpers";

const question = `${CONTEXT}\nQuestion: Which album is this about?`;
const runName = (what: string) => uniqueRun(`serve-${what}`);

describe("/openai/v1 fallback and schema guard", () => {
  it("answers with the teacher when the student fails with a 500, and marks it", async () => {
    const t = await createTenant();
    await setPointer(t.id, STUDENT);
    const run = runName("fallback");
    await configureRun(run, { script: [{ action: "server_error", match: STUDENT }] });
    const { client, settled } = tenantClient(t.key, { "X-Request-Id": `${run}:1` });
    const { data, response } = await client.chat.completions.create({ model: "distillery:active", messages: [{ role: "user", content: question }] }).withResponse();
    expect(data.choices[0]!.message.content).toContain("Abbey Road");
    expect(response.headers.get("Distillery-Served-By")).toBe("fallback");
    expect(response.headers.get("Distillery-Model")).toBe(TEACHER);
    const stats = await runStats(run);
    expect(stats.script_consumed).toEqual({ server_error: 1 });
    expect(stats.requests["POST /fireworks/inference/v1/chat/completions"]).toBe(1);
    expect(stats.requests["POST /v1/chat/completions"]).toBe(1);
    await settled();
    const usage = await api("/api/usage", { key: t.key });
    expect(usage.body.data.map((r: { model: string }) => r.model)).toEqual([TEACHER]);
  });

  it("passes the student's 500 back when the tenant turned fallback off", async () => {
    const t = await createTenant();
    await setPointer(t.id, STUDENT);
    expect((await api("/api/settings", { method: "PATCH", key: t.key, json: { serving: { fallback: false } } })).status).toBe(200);
    const run = runName("nofallback");
    await configureRun(run, { script: [{ action: "server_error", match: STUDENT }] });
    const { client } = tenantClient(t.key, { "X-Request-Id": `${run}:1` });
    const err = await client.chat.completions.create({ model: "distillery:active", messages: [{ role: "user", content: question }] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 502 });
    expect((err as { headers: Headers }).headers.get("Distillery-Served-By")).toBe("student");
    expect((await runStats(run)).requests["POST /v1/chat/completions"]).toBeUndefined();
  });

  it("falls back to the teacher when the guarded student's json_schema answer is not valid JSON", async () => {
    const t = await createTenant();
    await setPointer(t.id, STUDENT);
    const run = runName("guard");
    await configureRun(run, { script: [{ action: "invalid_json", match: STUDENT }] });
    const { client } = tenantClient(t.key, { "X-Request-Id": `${run}:1`, "Distillery-Schema-Guard": "true" });
    const { data, response } = await client.chat.completions
      .create({ model: "distillery:active", messages: [{ role: "user", content: question }], response_format: { type: "json_schema", json_schema: { name: "album", schema: ALBUM_SCHEMA, strict: true } } })
      .withResponse();
    expect(response.headers.get("Distillery-Served-By")).toBe("fallback");
    expect(response.headers.get("Distillery-Model")).toBe(TEACHER);
    expect(JSON.parse(data.choices[0]!.message.content!)).toMatchObject({ title: expect.any(String), year: 1969 });
    expect((await runStats(run)).script_consumed).toEqual({ invalid_json: 1 });
  });

  it("leaves an invalid student answer alone when the guard is off", async () => {
    const t = await createTenant();
    await setPointer(t.id, STUDENT);
    const run = runName("noguard");
    await configureRun(run, { script: [{ action: "invalid_json", match: STUDENT }] });
    const { client } = tenantClient(t.key, { "X-Request-Id": `${run}:1` });
    const { data, response } = await client.chat.completions
      .create({ model: "distillery:active", messages: [{ role: "user", content: question }], response_format: { type: "json_schema", json_schema: { name: "album", schema: ALBUM_SCHEMA, strict: true } } })
      .withResponse();
    expect(response.headers.get("Distillery-Served-By")).toBe("student");
    expect(() => JSON.parse(data.choices[0]!.message.content!)).toThrow();
  });

  it("aborts the upstream stream when the client cancels, and records the usage up to then", async () => {
    const t = await createTenant();
    await setPointer(t.id, STUDENT);
    const run = runName("cancel");
    await configureRun(run, { script: [{ action: "hang_stream", match: STUDENT }] });
    const { client, settled } = tenantClient(t.key, { "X-Request-Id": `${run}:1` });
    const stream = await client.chat.completions.create({ model: "distillery:active", stream: true, messages: [{ role: "user", content: `${CONTEXT}\nQuestion: When was Abbey Road released?` }] });
    let text = "";
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? "";
      if (text.length > 0) break;
    }
    expect(text.length).toBeGreaterThan(0);
    await settled();
    const stats = await runStats(run);
    expect(stats.streams).toEqual({ held: 1, cancelled: 1 });
    const usage = await api("/api/usage", { key: t.key });
    const row = usage.body.data.find((r: { model: string }) => r.model === STUDENT);
    expect(row).toMatchObject({ calls: 1 });
    expect(row.prompt_tokens).toBeGreaterThan(0);
  });
});
