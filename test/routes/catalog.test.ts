import { describe, expect, it } from "vitest";
import { setClock } from "../../src/lib/clock";
import { api, createTenant } from "../helpers/api";

describe("GET /api/catalog", () => {
  it("lists models, default roles and which providers are configured, without keys or URLs", async () => {
    const t = await createTenant();
    const res = await api("/api/catalog", { key: t.key });
    expect(res.status).toBe(200);
    const ids = res.body.models.map((m: { id: string }) => m.id);
    for (const role of ["teacher", "judge", "embedding"]) expect(ids).toContain(res.body.defaults[role]);
    const openai = res.body.providers.find((p: { id: string }) => p.id === "openai");
    // No key and no base URL in tests: the local OpenAI-compatible service answers.
    expect(openai).toMatchObject({ configured: true, source: "local" });
    expect(openai.fine_tuning.new_jobs_cutoff).toBe("2027-01-06");
    expect(res.text).not.toMatch(/https?:\/\//);
  });

  it("says which models have retired and whether each provider still takes new jobs, by the clock", async () => {
    const t = await createTenant();
    const at = async (instant: string) => {
      setClock(instant);
      const res = await api("/api/catalog", { key: t.key });
      const model = (id: string) => res.body.models.find((m: { id: string }) => m.id === id);
      const provider = (id: string) => res.body.providers.find((p: { id: string }) => p.id === id);
      return { model, provider };
    };
    const before = await at("2026-12-01T00:00:00Z");
    expect(before.model("gpt-4o-2024-08-06").retirement).toEqual({ date: "2027-01-14", retired: false });
    expect(before.provider("openai").fine_tuning.accepting_new_jobs).toBe(true);
    const after = await at("2027-01-14T00:00:00Z");
    expect(after.model("gpt-4o-2024-08-06").retirement).toEqual({ date: "2027-01-14", retired: true });
    expect(after.model("gpt-6.1-sol").retirement).toEqual({ date: null, retired: false });
    expect(after.provider("openai").fine_tuning.accepting_new_jobs).toBe(false);
    expect(after.provider("together").fine_tuning.accepting_new_jobs).toBe(true);
  });

  it("labels token counts of non-OpenAI encodings as estimates", async () => {
    const t = await createTenant();
    const res = await api("/api/catalog", { key: t.key });
    const estimated = res.body.models.filter((m: { encoding: string }) => m.encoding === "estimate");
    expect(estimated.length).toBeGreaterThan(0);
    for (const m of estimated) expect(m.token_counts_estimated).toBe(true);
  });
});

describe("GET /openai/v1/models", () => {
  it("answers OpenAI's list shape with the chat models", async () => {
    const t = await createTenant();
    const res = await api("/openai/v1/models", { key: t.key });
    expect(res.status).toBe(200);
    expect(res.body.object).toBe("list");
    expect(res.body.data[0]).toMatchObject({ object: "model", id: expect.any(String) });
  });
});
