import { RateLimitError } from "openai";
import { describe, expect, it } from "vitest";
import { callEmulator, configureRun, emulatorClient, runStats, uniqueRun } from "../helpers/emulator";

const MODEL = "gpt-4o-mini-2024-07-18";
const ask = { model: MODEL, messages: [{ role: "user" as const, content: "Paris is in France. Where is Paris?" }] };

describe("emulator: runs and the control plane", () => {
  it("scopes configuration by X-Emulator-Run", async () => {
    const limited = uniqueRun("scoped");
    const free = uniqueRun("free");
    await configureRun(limited, { rpm: 1 });
    await emulatorClient(limited).chat.completions.create(ask);
    expect(await emulatorClient(limited).chat.completions.create(ask).catch((e: unknown) => e)).toBeInstanceOf(RateLimitError);
    await emulatorClient(free).chat.completions.create(ask);
    await emulatorClient(free).chat.completions.create(ask);
    expect((await runStats(free)).requests["POST /v1/chat/completions"]).toBe(2);
  });

  it("scopes by the X-Request-Id prefix when a run of that name is configured", async () => {
    const run = uniqueRun("rid");
    await configureRun(run, { rpm: 1 });
    const first = await emulatorClient(undefined, { "X-Request-Id": `${run}:1` }).chat.completions.create(ask).withResponse();
    expect(first.response.headers.get("x-request-id")).toBe(`${run}:1`);
    expect(first.response.headers.get("x-ratelimit-limit-requests")).toBe("1");
    const second = await emulatorClient(undefined, { "X-Request-Id": `${run}:2` }).chat.completions.create(ask).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(RateLimitError);
    expect((second as RateLimitError).headers?.get("x-request-id")).toBe(`${run}:2`);
    const stats = await runStats(run);
    expect(stats.requests["POST /v1/chat/completions"]).toBe(2);
    expect(stats.tokens.prompt).toBeGreaterThan(0);

    // An unconfigured prefix falls back to the default run.
    const stray = uniqueRun("stray");
    const res = await emulatorClient(undefined, { "X-Request-Id": `${stray}:1` }).chat.completions.create(ask).withResponse();
    expect(res.response.headers.get("x-ratelimit-limit-requests")).toBeNull();
    expect((await runStats(stray)).requests).toEqual({});
  });

  it("reads, replaces and deletes a run, and validates its config", async () => {
    const run = uniqueRun("crud");
    const put = await configureRun(run, { rpm: 10, fine_tuning: { durations_ms: { running: 1000 } }, script: [{ action: "refusal" }] });
    expect(put).toMatchObject({ run, configured: true, config: { rpm: 10, script: [{ action: "refusal", times: 1 }] } });
    const get = (await (await callEmulator(`/_emulator/runs/${run}`)).json()) as { config: unknown; clock: { now_ms: number; speed: number } };
    expect(get.config).toEqual(put.config);
    expect(get.clock.speed).toBe(1);
    const bad = await callEmulator(`/_emulator/runs/${run}`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ rpm: -1, bogus: true }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { type: string } }).error.type).toBe("invalid_request_error");
    const del = await callEmulator(`/_emulator/runs/${run}`, { method: "DELETE" });
    expect(await del.json()).toEqual({ run, deleted: true });
    const after = (await (await callEmulator(`/_emulator/runs/${run}`)).json()) as { configured: boolean; config: unknown };
    expect(after).toMatchObject({ configured: false, config: {} });
  });

  it("advances a run's clock without touching other runs", async () => {
    const a = uniqueRun("clock-a");
    const b = uniqueRun("clock-b");
    const aBefore = (await configureRun(a, { clock: { speed: 0 } })).clock.now_ms;
    const before = (await configureRun(b, { clock: { speed: 0 } })).clock.now_ms;
    const res = await callEmulator(`/_emulator/runs/${a}/clock/advance`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ms: 3_600_000 }) });
    const { now_ms } = (await res.json()) as { now_ms: number };
    expect(now_ms - aBefore).toBe(3_600_000);
    const bNow = (await (await callEmulator(`/_emulator/runs/${b}`)).json()) as { clock: { now_ms: number } };
    expect(bNow.clock.now_ms).toBe(before);
  });

  it("counts requests per endpoint and tokens in stats", async () => {
    const run = uniqueRun("stats");
    const client = emulatorClient(run);
    await client.models.list();
    await client.models.retrieve("gpt-4o-mini-2024-07-18");
    const chat = await client.chat.completions.create(ask);
    const emb = await client.embeddings.create({ model: "text-embedding-3-small", input: "hello world" });
    const stats = await runStats(run);
    expect(stats.requests).toEqual({ "GET /v1/models": 1, "GET /v1/models/:id": 1, "POST /v1/chat/completions": 1, "POST /v1/embeddings": 1 });
    expect(stats.tokens).toEqual({
      prompt: chat.usage!.prompt_tokens + emb.usage.prompt_tokens,
      completion: chat.usage!.completion_tokens,
      total: chat.usage!.total_tokens + emb.usage.total_tokens,
    });
  });
});
