import { tenantStub } from "../durable/tenant";
import type { Bindings } from "../env";
import { ApiError } from "../errors";
import { countChatTokens } from "../llm";
import { newId } from "../lib/ids";
import type { ProgramRecord } from "../durable/tenant/programs";
import type { ProgramRun } from "../programs/run";
import { qualityProblem } from "./filters";
import { splitFor } from "./split";

/**
 * Captures a program run into a dataset as a fine-tuning example (the seeds'
 * OpenAIFineTuningHandler), with its token count (so validation never re-tokenizes),
 * program version, model, usage and the retrieved chunk ids (so an evaluation can
 * rebuild the same context). Returns the row id.
 */
export async function captureRun(
  env: Bindings,
  tenantId: string,
  opts: { dataset: string; run: ProgramRun; program: ProgramRecord; chunkIds?: string[]; question?: string },
): Promise<string> {
  const stub = tenantStub(env, tenantId);
  const dataset = await stub.getDataset(opts.dataset);
  if (!dataset) throw new ApiError("not_found", `No dataset ${opts.dataset}.`);
  const id = newId("row");
  // Live traffic passes the same quality filters as the teacher's labeling.
  const problem = qualityProblem(opts.run.output, opts.program.output_schema);
  const { tokens } = await countChatTokens(opts.run.example.messages, opts.run.example.tools, opts.run.model.encoding);
  await stub.addRow(dataset.id, {
    id,
    source: "capture",
    status: problem ? "rejected" : "labeled",
    reason: problem,
    split: await splitFor(id, dataset.eval_fraction),
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

/** 404 before any model call when a capture target does not exist. */
export async function assertDatasetExists(env: Bindings, tenantId: string, dataset: string): Promise<void> {
  if (!(await tenantStub(env, tenantId).getDataset(dataset))) throw new ApiError("not_found", `No dataset ${dataset}.`);
}
