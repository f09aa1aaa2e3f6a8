import type { TenantHandle } from "../durable/tenant";
import type { ProgramRecord } from "../durable/tenant/programs";
import { countChatTokens } from "../llm";
import { newId } from "../lib/ids";
import type { ProgramRun } from "../programs/run";
import { qualityProblem } from "./filters";

/**
 * Captures a program run into a dataset as a fine-tuning example (the seeds'
 * OpenAIFineTuningHandler), with its token count (so validation never re-tokenizes),
 * program version, model, usage and the retrieved chunk ids (so an evaluation can
 * rebuild the same context). Returns the row id; a dataset that does not exist is a 404.
 */
export async function captureRun(
  tenant: TenantHandle,
  opts: { dataset: string; run: ProgramRun; program: ProgramRecord; chunkIds?: string[]; question?: string },
): Promise<string> {
  const id = newId("row");
  // Live traffic passes the same quality filters as the teacher's labeling.
  const problem = qualityProblem(opts.run.output, opts.program.output_schema);
  const { tokens } = await countChatTokens(opts.run.example.messages, opts.run.example.tools, opts.run.model.encoding);
  await tenant.datasets.capture(opts.dataset, {
    id,
    source: "capture",
    status: problem ? "rejected" : "labeled",
    reason: problem,
    question: opts.question ?? null,
    example: JSON.stringify(opts.run.example),
    tokens,
    program: opts.program.name,
    program_version: opts.program.version,
    model: opts.run.model.id,
    usage: JSON.stringify(opts.run.usage),
    chunk_ids: opts.chunkIds ?? null,
  });
  return id;
}
