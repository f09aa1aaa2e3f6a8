import { describe, expect, it } from "vitest";
import { compileOutputValidator } from "../../src/programs/schema";
import { api, createTenant } from "../helpers/api";
import { configureRun, runStats, uniqueRun } from "../helpers/emulator";
import { albumProgram, ALBUM_SCHEMA } from "./fixtures";

const TOOLLESS = "meta-llama/Llama-3.2-3B-Instruct";

async function withProgram(mode: "tools" | "json") {
  const t = await createTenant();
  const program = albumProgram(mode);
  expect((await api("/api/programs", { method: "POST", key: t.key, json: program })).status).toBe(201);
  return { t, name: program.name };
}

describe("running a program", () => {
  it("runs the seeds' Album program by function calling and validates the arguments", async () => {
    const { t, name } = await withProgram("tools");
    const res = await api(`/api/programs/${name}/run`, { method: "POST", key: t.key, json: { variables: { movie_name: "The Shining" } } });
    expect(res.status).toBe(200);
    expect(compileOutputValidator(ALBUM_SCHEMA)(res.body.output).ok).toBe(true);
    expect(res.body).toMatchObject({ repaired: false, program: { name, version: 1 }, captured: null });
    expect(res.body.usage.total_tokens).toBe(res.body.usage.prompt_tokens + res.body.usage.completion_tokens);
  });

  it("runs the Album program in JSON mode on a model without tools or response_format", async () => {
    const { t, name } = await withProgram("json");
    const res = await api(`/api/programs/${name}/run`, {
      method: "POST",
      key: t.key,
      json: { variables: { movie_name: "Titanic" }, model: TOOLLESS },
    });
    expect(res.status).toBe(200);
    expect(res.body.model).toBe(TOOLLESS);
    expect(compileOutputValidator(ALBUM_SCHEMA)(res.body.output).ok).toBe(true);
  });

  it("runs JSON mode with response_format on a model that has it", async () => {
    const { t, name } = await withProgram("json");
    const res = await api(`/api/programs/${name}/run`, { method: "POST", key: t.key, json: { variables: { movie_name: "Ghost" } } });
    expect(res.status).toBe(200);
    expect(compileOutputValidator(ALBUM_SCHEMA)(res.body.output).ok).toBe(true);
  });

  for (const mode of ["json", "tools"] as const) {
    it(`repairs invalid JSON once in ${mode} mode, showing the model its errors`, async () => {
      const { t, name } = await withProgram(mode);
      const run = uniqueRun("repair");
      await configureRun(run, { script: [{ action: "invalid_json", times: 1 }] });
      const res = await api(`/api/programs/${name}/run`, {
        method: "POST",
        key: t.key,
        headers: { "X-Request-Id": `${run}:1` },
        json: { variables: { movie_name: "Tremors" } },
      });
      expect(res.status).toBe(200);
      expect(res.body.repaired).toBe(true);
      expect((await runStats(run)).requests["POST /v1/chat/completions"]).toBe(2);
    });
  }

  it("answers 422 with the errors and the raw text when the repair fails too", async () => {
    const { t, name } = await withProgram("json");
    const run = uniqueRun("norepair");
    await configureRun(run, { script: [{ action: "invalid_json", times: 2 }] });
    const res = await api(`/api/programs/${name}/run`, {
      method: "POST",
      key: t.key,
      headers: { "X-Request-Id": `${run}:1` },
      json: { variables: { movie_name: "Rocky V" }, model: TOOLLESS },
    });
    expect(res.status).toBe(422);
    expect(res.body.error.details.errors.length).toBeGreaterThan(0);
    expect(typeof res.body.error.details.raw).toBe("string");
  });
});

describe("running a program: bad input and upstream errors", () => {
  it("400s a missing or an unknown template variable, naming it", async () => {
    const { t, name } = await withProgram("tools");
    const missing = await api(`/api/programs/${name}/run`, { method: "POST", key: t.key, json: { variables: {} } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toContain("{movie_name}");
    const unknown = await api(`/api/programs/${name}/run`, { method: "POST", key: t.key, json: { variables: { movie_name: "x", film: "y" } } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain("film");
  });

  it("400s tools mode on a tool-less model, saying to use json", async () => {
    const { t, name } = await withProgram("tools");
    const res = await api(`/api/programs/${name}/run`, { method: "POST", key: t.key, json: { variables: { movie_name: "x" }, model: TOOLLESS } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/use mode "json"/);
  });

  it("400s an unknown model", async () => {
    const { t, name } = await withProgram("tools");
    const res = await api(`/api/programs/${name}/run`, { method: "POST", key: t.key, json: { variables: { movie_name: "x" }, model: "gpt-0" } });
    expect(res.status).toBe(400);
  });

  it("maps a provider rate limit to 429 with Retry-After", async () => {
    const { t, name } = await withProgram("tools");
    const run = uniqueRun("rl");
    await configureRun(run, { faults: { seed: 3, rate_429: 1 } });
    const res = await api(`/api/programs/${name}/run`, { method: "POST", key: t.key, headers: { "X-Request-Id": `${run}:1` }, json: { variables: { movie_name: "x" } } });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
  });

  it("maps a provider outage to 502/503", async () => {
    const { t, name } = await withProgram("tools");
    for (const [fault, status] of [["rate_500", 502], ["rate_503", 503]] as const) {
      const run = uniqueRun("down");
      await configureRun(run, { faults: { seed: 5, [fault]: 1 } });
      const res = await api(`/api/programs/${name}/run`, { method: "POST", key: t.key, headers: { "X-Request-Id": `${run}:1` }, json: { variables: { movie_name: "x" } } });
      expect(res.status).toBe(status);
    }
  });

  it("400s a prompt longer than the model's window", async () => {
    const { t, name } = await withProgram("json");
    const res = await api(`/api/programs/${name}/run`, {
      method: "POST",
      key: t.key,
      json: { variables: { movie_name: "word ".repeat(150_000) }, model: TOOLLESS },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/does not fit/);
  });
});
