import type { ProgramRecord } from "../durable/tenant/programs";
import type { Bindings } from "../env";
import { sha256Hex } from "../lib/ids";
import type { ModelEntry } from "../llm";
import { runProgram, type ProgramRun } from "../programs/run";
import { renderTemplate } from "../programs/template";
import type { CallUsage } from "../usage/record";
import { splitFor } from "./split";

/** LlamaIndex DatasetGenerator's default question-generation instruction; `{n}` is the count asked for. */
export const DEFAULT_QUESTION_PROMPT =
  "You are a Teacher/ Professor. Your task is to setup {n} questions for an upcoming quiz/examination. " +
  "The questions should be diverse in nature across the document. Restrict the questions to the context information provided.";

/** The seeds' question-generation template: the instruction, then the chunk. */
const QUESTION_TEMPLATE = "{query_str}\nContext:\n{context_str}\nQuestions:\n";

/**
 * The teacher returns questions as a JSON array (a tool, or JSON text for tool-less
 * models), never as lines to split: models add preambles ("Here are 3 questions:")
 * and miscount, so the count is enforced here, not trusted.
 */
function questionProgram(model: ModelEntry, n: number): ProgramRecord {
  return {
    name: "generate_questions",
    version: 1,
    description: `Record the ${n} questions generated from the context.`,
    output_schema: {
      type: "object",
      properties: {
        questions: { type: "array", description: `Exactly ${n} questions about the context`, items: { type: "string" } },
      },
      required: ["questions"],
    },
    prompt_template: QUESTION_TEMPLATE,
    mode: model.supports_tools ? "tools" : "json",
    system_prompt: null,
    created_at: "",
  };
}

/** Normalised question text, for deduplication: lower case, letters and digits, single spaces. */
export function normalizeQuestion(text: string): string {
  return text
    .toLowerCase()
    .normalize("NFKC")
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/** Trims, drops list numbering and empties, dedupes by normalised text, keeps the first `n`. */
export function cleanQuestions(raw: unknown, n: number): string[] {
  const list = Array.isArray(raw) ? raw : [];
  const seen = new Set<string>();
  const out: string[] = [];
  for (const item of list) {
    if (typeof item !== "string") continue;
    const text = item.replace(/^\s*(?:\d+[.)]|[-*•])\s+/, "").trim();
    const norm = normalizeQuestion(text);
    if (!norm || seen.has(norm)) continue;
    seen.add(norm);
    out.push(text);
    if (out.length === n) break;
  }
  return out;
}

/** A question's stable id: the same dataset, chunk and text always give the same id. */
export async function questionId(datasetId: string, chunkId: string, norm: string): Promise<string> {
  return `q_${(await sha256Hex(`${datasetId}\n${chunkId}\n${norm}`)).slice(0, 24)}`;
}

export interface GeneratedQuestions {
  questions: { id: string; text: string; norm: string; split: "train" | "eval" }[];
  run: ProgramRun;
}

/** Asks the teacher for `n` questions about one chunk (shown with its title, as LlamaIndex's metadata mode "all"). */
export async function generateQuestions(
  env: Bindings,
  opts: {
    datasetId: string;
    chunk: { id: string; text: string; title: string };
    n: number;
    prompt: string | null;
    evalFraction: number;
    model: ModelEntry;
    requestId: string;
    onCall: (u: CallUsage) => void;
  },
): Promise<GeneratedQuestions> {
  const program = questionProgram(opts.model, opts.n);
  const instruction = (opts.prompt ?? DEFAULT_QUESTION_PROMPT).replaceAll("{n}", String(opts.n));
  const rendered = renderTemplate(program.prompt_template, {
    query_str: instruction,
    context_str: `title: ${opts.chunk.title}\n\n${opts.chunk.text}`,
  });
  const run = await runProgram(env, { program, rendered, model: opts.model, requestId: opts.requestId, onCall: opts.onCall });
  const texts = cleanQuestions((run.output as { questions?: unknown }).questions, opts.n);
  const questions = [];
  for (const text of texts) {
    const norm = normalizeQuestion(text);
    const id = await questionId(opts.datasetId, opts.chunk.id, norm);
    // The split hangs on the chunk and the question, not on the dataset: two datasets over the same
    // documents put a question on the same side (none is trained on in one and evaluated in another),
    // and a dataset regenerated after a crash writes the same files as a clean run.
    questions.push({ id, text, norm, split: await splitFor(`${opts.chunk.id}\n${norm}`, opts.evalFraction) });
  }
  return { questions, run };
}
