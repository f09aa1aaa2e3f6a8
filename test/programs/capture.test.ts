import { describe, expect, it } from "vitest";
import { api, createTenant } from "../helpers/api";
import { emulatorClient, validateFile } from "../helpers/emulator";
import { ingestNow } from "../helpers/queues";
import { flushUsage, pendingUsage } from "../helpers/usage";
import { sampleDoc } from "../fixtures/samples";
import { albumProgram, citationsProgram } from "./fixtures";
import { today } from "../../src/lib/clock";

const MOVIES = ["The Shining", "The Departed", "Titanic", "Goodfellas", "Pretty Woman", "Home Alone", "Caged Fury"];

describe("capture into a dataset", () => {
  it("captures tools- and json-mode runs as lines that pass fine-tune file validation", async () => {
    const t = await createTenant();
    await api("/api/datasets", { method: "POST", key: t.key, json: { name: "songs" } });
    for (const mode of ["tools", "json"] as const) {
      await api("/api/programs", { method: "POST", key: t.key, json: albumProgram(mode) });
      for (const movie of MOVIES) {
        const res = await api(`/api/programs/album_${mode}/run`, {
          method: "POST",
          key: t.key,
          json: { variables: { movie_name: movie }, capture: { dataset: "songs" } },
        });
        expect(res.status).toBe(200);
        expect(res.body.captured.dataset).toBe("songs");
      }
    }
    const rows = await api("/api/datasets/songs/rows?limit=500", { key: t.key });
    expect(rows.body.data).toHaveLength(MOVIES.length * 2);
    const tools = rows.body.data.find((r: { example: { tools?: unknown } }) => r.example.tools);
    expect(tools.example.messages.at(-1).tool_calls[0].function.name).toBe("album_tools");
    expect(tools.example.parallel_tool_calls).toBe(false);
    expect(tools.example).not.toHaveProperty("functions");
    expect(tools).toMatchObject({ program: "album_tools", program_version: 1, source: "capture", status: "labeled" });
    expect(tools.tokens).toBeGreaterThan(50);
    const json = rows.body.data.find((r: { example: { tools?: unknown } }) => !r.example.tools);
    expect(() => JSON.parse(json.example.messages.at(-1).content)).not.toThrow();

    const jsonl = rows.body.data.map((r: { example: unknown }) => JSON.stringify(r.example)).join("\n");
    const file = await emulatorClient().files.create({ file: new File([jsonl], "songs.jsonl"), purpose: "fine-tune" });
    const report = await validateFile(file.id);
    expect(report.errors).toEqual([]);
    expect(report.valid).toBe(true);
    expect(report.examples).toBe(MOVIES.length * 2);
  });

  it("captures every call of a RAG query with the retrieved chunk ids", async () => {
    const t = await createTenant();
    const doc = await api("/api/documents", { method: "POST", key: t.key, json: { title: "Guide", text: sampleDoc("field-guide.md") } });
    await ingestNow(t.id, doc.body.document.id);
    await api("/api/datasets", { method: "POST", key: t.key, json: { name: "rag" } });
    await api("/api/programs", { method: "POST", key: t.key, json: citationsProgram("tools") });
    const res = await api("/api/query", {
      method: "POST",
      key: t.key,
      json: { question: "Which works are cited about LoRA?", program: "citations_tools", top_k: 2, capture: { dataset: "rag" } },
    });
    expect(res.status).toBe(200);
    const rows = await api("/api/datasets/rag/rows", { key: t.key });
    expect(rows.body.data).toHaveLength(res.body.calls);
    expect(rows.body.data[0].chunk_ids).toEqual(res.body.sources.map((s: { chunk: { id: string } }) => s.chunk.id));
    expect(rows.body.data[0].question).toBe("Which works are cited about LoRA?");
  });

  it("404s capture into a dataset that does not exist, before any model call", async () => {
    const t = await createTenant();
    await api("/api/programs", { method: "POST", key: t.key, json: albumProgram("tools") });
    const res = await api("/api/programs/album_tools/run", {
      method: "POST",
      key: t.key,
      json: { variables: { movie_name: "x" }, capture: { dataset: "nope" } },
    });
    expect(res.status).toBe(404);
    expect(pendingUsage(t.id)).toEqual([]);
    expect((await api("/api/usage", { key: t.key })).body.totals.calls).toBe(0);
  });
});

describe("usage and cost", () => {
  it("totals match the responses' usage, per model and day, priced from the catalog", async () => {
    const t = await createTenant();
    await api("/api/programs", { method: "POST", key: t.key, json: albumProgram("tools") });
    let prompt = 0;
    let completion = 0;
    for (const movie of MOVIES.slice(0, 3)) {
      const res = await api("/api/programs/album_tools/run", { method: "POST", key: t.key, json: { variables: { movie_name: movie } } });
      prompt += res.body.usage.prompt_tokens;
      completion += res.body.usage.completion_tokens;
    }
    await flushUsage(t.id);
    const usage = await api("/api/usage", { key: t.key });
    expect(usage.status).toBe(200);
    expect(usage.body.totals).toMatchObject({ calls: 3, prompt_tokens: prompt, completion_tokens: completion });
    const catalog = await api("/api/catalog", { key: t.key });
    const teacher = catalog.body.models.find((m: { id: string }) => m.id === catalog.body.defaults.teacher);
    const expected = (prompt * teacher.prices_per_1m.input + completion * teacher.prices_per_1m.output) / 1e6;
    expect(usage.body.totals.cost_usd).toBeCloseTo(expected, 10);
    expect(usage.body.data[0]).toMatchObject({ model: teacher.id, kind: "chat", day: today() });
  });

  it("keeps tenants' usage apart and validates the range", async () => {
    const a = await createTenant("a");
    const b = await createTenant("b");
    await api("/api/programs", { method: "POST", key: a.key, json: albumProgram("tools") });
    await api("/api/programs/album_tools/run", { method: "POST", key: a.key, json: { variables: { movie_name: "x" } } });
    await flushUsage(a.id);
    expect((await api("/api/usage", { key: a.key })).body.totals.calls).toBe(1);
    expect((await api("/api/usage", { key: b.key })).body.totals.calls).toBe(0);
    expect((await api("/api/usage?from=2026-12-01&to=2026-11-01", { key: a.key })).status).toBe(400);
  });
});
