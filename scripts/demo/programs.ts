/** Demo step: the seeds' Album and citations programs, each run in both modes, and one structured RAG query. */
import { readFileSync } from "node:fs";
import type { DistilleryClient } from "../lib/client.ts";
import { bold, dim, emulated, note, usd } from "../lib/ui.ts";

/** The seeds' Album and citations (Response) programs, shared with the tests. */
const ALBUM = JSON.parse(readFileSync(new URL("../../samples/programs/album.json", import.meta.url), "utf8"));
const CITATIONS = JSON.parse(readFileSync(new URL("../../samples/programs/citations.json", import.meta.url), "utf8"));

function short(value: unknown, max = 150): string {
  const text = JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

async function ensureProgram(api: DistilleryClient, body: Record<string, unknown>): Promise<void> {
  await api.post("/api/programs", body, { "Idempotency-Key": `demo-program-${body.name}` });
}

export interface ProgramsSummary {
  programs: string[];
  runs: number;
}

export async function runPrograms(api: DistilleryClient): Promise<ProgramsSummary> {
  let runs = 0;
  for (const mode of ["tools", "json"] as const) {
    await ensureProgram(api, { name: `album_${mode}`, mode, ...ALBUM });
    await ensureProgram(api, { name: `citations_${mode}`, mode, ...CITATIONS });
  }
  note(`programs: album_tools, album_json, citations_tools, citations_json ${dim("(the seeds' Album and Response models)")}`);

  for (const mode of ["tools", "json"] as const) {
    const res = await api.post(`/api/programs/album_${mode}/run`, { variables: { movie_name: "Goodfellas" } });
    runs++;
    note(emulated(`${bold(`album (${mode})`)} on ${res.model}: ${short(res.output)} ${dim(`${res.usage.total_tokens} tokens`)}`));
  }
  const catalog = await api.get("/api/catalog");
  const toolless = catalog.models.find((m: any) => m.kind === "chat" && !m.supports_tools);
  if (toolless) {
    const res = await api.post("/api/programs/album_json/run", { variables: { movie_name: "Goodfellas" }, model: toolless.id });
    runs++;
    note(emulated(`${bold("album (json, no tools)")} on ${res.model}: ${short(res.output)}${res.repaired ? dim(" (after a repair turn)") : ""}`));
  }

  const context =
    "Knowledge distillation trains a small student on a large teacher's soft targets (Hinton et al., 2015). " +
    "TruthfulQA measures whether a model imitates human falsehoods (Lin et al., 2021).";
  for (const mode of ["tools", "json"] as const) {
    const res = await api.post(`/api/programs/citations_${mode}/run`, {
      variables: { context_str: context, query_str: "Which citations are about evaluation?" },
    });
    runs++;
    note(emulated(`${bold(`citations (${mode})`)}: ${short(res.output)}`));
  }

  const question = "Which citations correspond to work on parameter-efficient fine-tuning?";
  const rag = await api.post("/api/query", { question, program: "citations_tools", top_k: 2 });
  note(`${bold("structured RAG")} ${dim(JSON.stringify(question))}`);
  runs++;
  note(emulated(`  → ${short(rag.output, 300)}`));
  for (const s of rag.sources) note(dim(`    source: ${s.document.title.slice(0, 40)}… p.${s.chunk.page} (score ${s.score.toFixed(3)})`));
  const usage = await api.get("/api/usage");
  note(`usage so far: ${usage.totals.calls} calls, ${usage.totals.prompt_tokens + usage.totals.completion_tokens} tokens, ${usd(usage.totals.cost_usd)}`);
  return { programs: ["album_tools", "album_json", "citations_tools", "citations_json"], runs };
}
