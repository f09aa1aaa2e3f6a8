/** Demo step: the seeds' Album and citations programs, each run in both modes, and one structured RAG query. */
import type { DistilleryClient } from "../lib/client.ts";
import { bold, dim, note } from "../lib/ui.ts";

const ALBUM_SCHEMA = {
  type: "object",
  description: "Data model for an album.",
  properties: {
    name: { type: "string" },
    artist: { type: "string" },
    songs: {
      type: "array",
      items: {
        type: "object",
        description: "Data model for a song.",
        properties: { title: { type: "string" }, length_seconds: { type: "integer" } },
        required: ["title", "length_seconds"],
      },
    },
  },
  required: ["name", "artist", "songs"],
};

const CITATIONS_SCHEMA = {
  type: "object",
  description: "List of author citations. Extracted over unstructured text.",
  properties: {
    citations: {
      type: "array",
      description: "List of author citations (organized by author, year, and description).",
      items: {
        type: "object",
        description: "Citation class.",
        properties: {
          author: { type: "string", description: "Inferred first author (usually last name" },
          year: { type: "integer", description: "Inferred year" },
          desc: { type: "string", description: "Inferred description from the text of the work that the author is cited for" },
        },
        required: ["author", "year", "desc"],
      },
    },
  },
  required: ["citations"],
};

/** LlamaIndex's text QA template: the citations program answers over retrieved context. */
export const QA_TEMPLATE =
  "Context information is below.\n---------------------\n{context_str}\n---------------------\n" +
  "Given the context information and not prior knowledge, answer the query.\nQuery: {query_str}\nAnswer: ";

const ALBUM_TEMPLATE = "Generate an example album, with an artist and a list of songs. Using the movie {movie_name} as inspiration.";

function short(value: unknown, max = 150): string {
  const text = JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

async function ensureProgram(api: DistilleryClient, body: Record<string, unknown>): Promise<void> {
  await api.post("/api/programs", body, { "Idempotency-Key": `demo-program-${body.name}` });
}

export async function runPrograms(api: DistilleryClient): Promise<void> {
  for (const mode of ["tools", "json"] as const) {
    await ensureProgram(api, { name: `album_${mode}`, description: "Data model for an album.", output_schema: ALBUM_SCHEMA, prompt_template: ALBUM_TEMPLATE, mode });
    await ensureProgram(api, { name: `citations_${mode}`, description: "List of author citations.", output_schema: CITATIONS_SCHEMA, prompt_template: QA_TEMPLATE, mode });
  }
  note(`programs: album_tools, album_json, citations_tools, citations_json ${dim("(the seeds' Album and Response models)")}`);

  for (const mode of ["tools", "json"] as const) {
    const res = await api.post(`/api/programs/album_${mode}/run`, { variables: { movie_name: "Goodfellas" } });
    note(`${bold(`album (${mode})`)} on ${res.model}: ${short(res.output)} ${dim(`${res.usage.total_tokens} tokens`)}`);
  }
  const catalog = await api.get("/api/catalog");
  const toolless = catalog.models.find((m: any) => m.kind === "chat" && !m.supports_tools);
  if (toolless) {
    const res = await api.post("/api/programs/album_json/run", { variables: { movie_name: "Goodfellas" }, model: toolless.id });
    note(`${bold("album (json, no tools)")} on ${res.model}: ${short(res.output)}${res.repaired ? dim(" (after a repair turn)") : ""}`);
  }

  const context =
    "Knowledge distillation trains a small student on a large teacher's soft targets (Hinton et al., 2015). " +
    "TruthfulQA measures whether a model imitates human falsehoods (Lin et al., 2021).";
  for (const mode of ["tools", "json"] as const) {
    const res = await api.post(`/api/programs/citations_${mode}/run`, {
      variables: { context_str: context, query_str: "Which citations are about evaluation?" },
    });
    note(`${bold(`citations (${mode})`)}: ${short(res.output)}`);
  }

  const question = "Which citations correspond to work on parameter-efficient fine-tuning?";
  const rag = await api.post("/api/query", { question, program: "citations_tools", top_k: 2 });
  note(`${bold("structured RAG")} ${dim(JSON.stringify(question))}`);
  note(`  → ${short(rag.output, 300)}`);
  for (const s of rag.sources) note(dim(`    source: ${s.document.title.slice(0, 40)}… p.${s.chunk.page} (score ${s.score.toFixed(3)})`));
  const usage = await api.get("/api/usage");
  note(`usage so far: ${usage.totals.calls} calls, ${usage.totals.prompt_tokens + usage.totals.completion_tokens} tokens, $${usage.totals.cost_usd.toFixed(4)} at catalog prices`);
}
