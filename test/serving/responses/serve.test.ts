import type { ResponseStreamEvent } from "openai/resources/responses/responses";
import { describe, expect, it } from "vitest";
import { api, createTenant } from "../../helpers/api";
import { configureRun, runStats, uniqueRun } from "../../helpers/emulator";
import { ALBUM_SCHEMA, CONTEXT, setPointer, STUDENT, TEACHER, tenantClient } from "../helpers";

const QUESTION = `${CONTEXT}\nQuestion: When was Abbey Road released?`;
const ALBUM_FORMAT = { type: "json_schema" as const, name: "album", schema: ALBUM_SCHEMA, strict: true };
const runName = (what: string) => uniqueRun(`responses-${what}`);

describe("/openai/v1/responses on the chat core: fallback, schema guard, cancellation", () => {
  it("is answered by the teacher when the student fails with a 500, marked as a fallback", async () => {
    const t = await createTenant();
    await setPointer(t.id, STUDENT);
    const run = runName("fallback");
    await configureRun(run, { script: [{ action: "server_error", match: STUDENT }] });
    const { client } = tenantClient(t.key, { "X-Request-Id": `${run}:1` });
    const { data, response } = await client.responses.create({ model: "distillery:active", input: QUESTION }).withResponse();
    expect(data.status).toBe("completed");
    expect(data.model).toBe(TEACHER);
    expect(data.output_text).toContain("1969");
    expect(response.headers.get("Distillery-Served-By")).toBe("fallback");
    expect((await runStats(run)).script_consumed).toEqual({ server_error: 1 });
  });

  it("falls back to the teacher when the guarded student's json_schema answer is not valid JSON", async () => {
    const t = await createTenant();
    await setPointer(t.id, STUDENT);
    const run = runName("guard");
    await configureRun(run, { script: [{ action: "invalid_json", match: STUDENT }] });
    const { client } = tenantClient(t.key, { "X-Request-Id": `${run}:1`, "Distillery-Schema-Guard": "true" });
    const { data, response } = await client.responses.create({ model: "distillery:active", input: QUESTION, text: { format: ALBUM_FORMAT } }).withResponse();
    expect(response.headers.get("Distillery-Served-By")).toBe("fallback");
    expect(data.model).toBe(TEACHER);
    expect(JSON.parse(data.output_text)).toEqual({ title: expect.any(String), year: 1969 });
  });

  it("sends text deltas while the upstream stream is still open, aborts it when the client stops reading, and records the usage up to then", async () => {
    const t = await createTenant();
    await setPointer(t.id, STUDENT);
    const run = runName("cancel");
    await configureRun(run, { script: [{ action: "hang_stream", match: STUDENT }] });
    const { client, settled } = tenantClient(t.key, { "X-Request-Id": `${run}:1` });
    const stream = await client.responses.create({ model: "distillery:active", input: QUESTION, stream: true });
    const seen: ResponseStreamEvent["type"][] = [];
    for await (const event of stream) {
      seen.push(event.type);
      if (event.type === "response.output_text.delta") break;
    }
    // hang_stream holds the upstream open before its last chunk: a delta seen here was not buffered to the end.
    expect(seen.slice(0, 2)).toEqual(["response.created", "response.in_progress"]);
    expect(seen.at(-1)).toBe("response.output_text.delta");
    await settled();
    expect((await runStats(run)).streams).toEqual({ held: 1, cancelled: 1 });
    const usage = await api("/api/usage", { key: t.key });
    const row = usage.body.data.find((r: { model: string }) => r.model === STUDENT);
    expect(row).toMatchObject({ calls: 1 });
    expect(row.prompt_tokens).toBeGreaterThan(0);
  });
});
