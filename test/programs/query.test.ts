import { describe, expect, it } from "vitest";
import { compileOutputValidator } from "../../src/programs/schema";
import { loadCatalog } from "../../src/llm";
import { answerWithSources, packParts } from "../../src/programs/rag";
import { openTenant } from "../../src/durable/tenant";
import { retrieve } from "../../src/retrieval/retrieve";
import { api, bindings, createTenant } from "../helpers/api";
import { ingestNow } from "../helpers/queues";
import { sampleDoc } from "../fixtures/samples";
import { albumProgram, citationsProgram, CITATIONS_SCHEMA } from "./fixtures";

async function tenantWithCorpus() {
  const t = await createTenant();
  const doc = await api("/api/documents", {
    method: "POST",
    key: t.key,
    json: { title: "Teaching Small Models", text: sampleDoc("field-guide.md"), format: "markdown" },
  });
  await ingestNow(t.id, doc.body.document.id);
  return { t, documentId: doc.body.document.id as string };
}

describe("structured RAG (/api/query)", () => {
  for (const mode of ["tools", "json"] as const) {
    it(`answers the citations program over an ingested document (${mode} mode) with its sources`, async () => {
      const { t, documentId } = await tenantWithCorpus();
      await api("/api/programs", { method: "POST", key: t.key, json: citationsProgram(mode) });
      const res = await api("/api/query", {
        method: "POST",
        key: t.key,
        json: { question: "Which citations are about knowledge distillation?", program: `citations_${mode}`, top_k: 2 },
      });
      expect(res.status).toBe(200);
      expect(compileOutputValidator(CITATIONS_SCHEMA)(res.body.output).ok).toBe(true);
      expect(res.body.sources).toHaveLength(2);
      expect(res.body.sources[0]).toMatchObject({ document: { id: documentId, title: "Teaching Small Models" } });
      const citations = res.body.output.citations as { author: string; year: number }[];
      expect(citations.length).toBeGreaterThan(0);
      // Grounded: each cited year appears in the retrieved text.
      const context = res.body.sources.map((s: { text: string }) => s.text).join("\n");
      for (const c of citations) expect(context).toContain(String(c.year));
    });
  }

  it("refuses a program whose template does not take {context_str} and {query_str}", async () => {
    const { t } = await tenantWithCorpus();
    await api("/api/programs", { method: "POST", key: t.key, json: albumProgram("tools") });
    const res = await api("/api/query", { method: "POST", key: t.key, json: { question: "x", program: "album_tools" } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain("{context_str}");
  });

  it("packs sources into as few parts as the budget allows, in order", () => {
    const count = (t: string) => t.split(/\s+/).filter(Boolean).length;
    const texts = ["a b c d", "e f g", "h i j k l", "m"];
    expect(packParts(texts, 9, count)).toEqual(["a b c d\n\ne f g", "h i j k l\n\nm"]);
    expect(() => packParts(["one two three four five"], 4, count)).toThrow(/does not fit/);
  });

  it("refines the answer across parts when the context does not fit the model's window", async () => {
    const { t } = await tenantWithCorpus();
    const program = (await api("/api/programs", { method: "POST", key: t.key, json: citationsProgram("tools") })).body;
    const sources = await retrieve(bindings, openTenant(bindings, t.id), { query: "Which works are cited about evaluation?", topK: 3, requestId: "refine" });
    const teacher = loadCatalog(bindings).byId.get(loadCatalog(bindings).defaults.teacher)!;
    // A window that holds about one 1024-token chunk at a time.
    const small = { ...teacher, context_window: 2200, max_output_tokens: 256 };
    const rag = await answerWithSources(bindings, { program, model: small, question: "Which works are cited about evaluation?", sources, requestId: "refine" });
    expect(rag.parts).toBe(3);
    expect(rag.runs).toHaveLength(3);
    const refine = rag.runs[1]!.example.messages.at(-2)!.content as string;
    expect(refine).toContain("We have provided an existing answer");
    expect(compileOutputValidator(CITATIONS_SCHEMA)(rag.output).ok).toBe(true);
  });

  it("400s when a single source does not fit the window even alone", async () => {
    const { t } = await tenantWithCorpus();
    const program = (await api("/api/programs", { method: "POST", key: t.key, json: citationsProgram("tools") })).body;
    const sources = await retrieve(bindings, openTenant(bindings, t.id), { query: "distillation", topK: 1, requestId: "tiny" });
    const teacher = loadCatalog(bindings).byId.get(loadCatalog(bindings).defaults.teacher)!;
    const tiny = { ...teacher, context_window: 1200, max_output_tokens: 256 };
    await expect(answerWithSources(bindings, { program, model: tiny, question: "x", sources, requestId: "tiny" })).rejects.toThrow(/does not fit/);
  });
});
