import type { ProgramRecord } from "../durable/tenant/programs";
import type { Bindings } from "../env";
import { ApiError } from "../errors";
import { tokenCounter, type ModelEntry } from "../llm";
import type { RetrievedSource } from "../retrieval/retrieve";
import type { CallUsage } from "../usage/record";
import { firstTurn, programTool } from "./messages";
import { assertFitsWindow, runProgram, type ProgramRun } from "./run";
import { renderTemplate, templateVariables } from "./template";

/** LlamaIndex's default text QA template: a program used for RAG fills {context_str} and {query_str}. */
export const QA_TEMPLATE =
  "Context information is below.\n---------------------\n{context_str}\n---------------------\n" +
  "Given the context information and not prior knowledge, answer the query.\nQuery: {query_str}\nAnswer: ";

/** LlamaIndex's default refine template, used for every part of the context after the first. */
export const REFINE_TEMPLATE =
  "The original query is as follows: {query_str}\nWe have provided an existing answer: {existing_answer}\n" +
  "We have the opportunity to refine the existing answer (only if needed) with some more context below.\n" +
  "------------\n{context_msg}\n------------\n" +
  "Given the new context, refine the original answer to better answer the query. " +
  "If the context isn't useful, return the original answer.\nRefined Answer: ";

const SEPARATOR = "\n\n";

/** A source as the model reads it: its title line, then its text (LlamaIndex's metadata mode). */
export function sourceText(s: Pick<RetrievedSource, "title" | "page" | "text">): string {
  return `title: ${s.title}${s.page ? `\npage: ${s.page}` : ""}${SEPARATOR}${s.text}`;
}

export interface RagRun {
  output: unknown;
  runs: ProgramRun[];
  /** How many model calls the context took (1 unless it had to be refined across parts). */
  parts: number;
}

/** 400 unless the program's template takes the context and the query. */
export function assertRagTemplate(program: ProgramRecord): void {
  const vars = templateVariables(program.prompt_template);
  const missing = ["context_str", "query_str"].filter((v) => !vars.includes(v));
  if (missing.length > 0) {
    throw new ApiError(
      "bad_request",
      `Program ${program.name} cannot answer queries: its prompt_template must use ${missing.map((m) => `{${m}}`).join(" and ")} ` +
        "(LlamaIndex's text QA template is a good start).",
      { details: { missing } },
    );
  }
}

/**
 * Structured RAG with LlamaIndex's refine synthesizer: pack as many sources as fit the
 * model's window (counted with real tokens) into the first call, then refine the answer
 * with each further part. A single source too large for the window even alone → 400.
 */
export async function answerWithSources(
  env: Bindings,
  opts: {
    program: ProgramRecord;
    model: ModelEntry;
    question: string;
    sources: RetrievedSource[];
    requestId: string;
    onCall?: (usage: CallUsage) => void;
  },
): Promise<RagRun> {
  const { program, model, question } = opts;
  assertRagTemplate(program);
  const count = await tokenCounter(model.encoding === "estimate" ? "cl100k_base" : model.encoding);
  const texts = opts.sources.map(sourceText);

  const refineProgram: ProgramRecord = { ...program, prompt_template: REFINE_TEMPLATE };
  // Room for context = window − (the prompt with an empty context) − the answer's reserve.
  const emptyFirst = renderTemplate(program.prompt_template, { context_str: "", query_str: question });
  const overhead = await assertFitsWindow(model, firstTurn(program, emptyFirst), program.mode === "tools" ? [programTool(program)] : undefined);
  const budget = model.context_window - overhead - Math.min(4096, model.max_output_tokens) - 64;
  const parts = packParts(texts, budget, count);

  const runs: ProgramRun[] = [];
  let output: unknown = null;
  for (const [i, part] of parts.entries()) {
    const rendered =
      i === 0
        ? renderTemplate(program.prompt_template, { context_str: part, query_str: question })
        : renderTemplate(REFINE_TEMPLATE, { query_str: question, existing_answer: JSON.stringify(output), context_msg: part });
    const run = await runProgram(env, {
      program: i === 0 ? program : refineProgram,
      rendered,
      model,
      requestId: opts.requestId,
      onCall: opts.onCall,
    });
    runs.push(run);
    output = run.output;
  }
  return { output, runs, parts: parts.length };
}

/** Greedy packing of source texts into parts of at most `budget` tokens, in order. */
export function packParts(texts: readonly string[], budget: number, count: (t: string) => number): string[] {
  if (texts.length === 0) return [""];
  const SEPARATOR_TOKENS = 2;
  const parts: string[] = [];
  let current: string[] = [];
  let used = 0;
  for (const text of texts) {
    const alone = count(text);
    if (alone > budget) {
      throw new ApiError(
        "bad_request",
        `A retrieved chunk of ${alone} tokens does not fit the model's window even alone (room for context: ${Math.max(budget, 0)} tokens); use a model with a larger window or smaller chunks.`,
        { details: { chunk_tokens: alone, budget } },
      );
    }
    const needed = alone + (current.length > 0 ? SEPARATOR_TOKENS : 0);
    if (current.length > 0 && used + needed > budget) {
      parts.push(current.join(SEPARATOR));
      current = [text];
      used = alone;
    } else {
      current.push(text);
      used += needed;
    }
  }
  parts.push(current.join(SEPARATOR));
  return parts;
}
