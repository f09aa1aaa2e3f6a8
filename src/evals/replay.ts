import type { ChatCompletionMessageParam, ChatCompletionTool } from "openai/resources/chat/completions";
import type { TenantHandle } from "../durable/tenant";
import type { RowRecord } from "../durable/tenant/datasets";
import type { ProgramRecord } from "../durable/tenant/programs";
import type { Bindings } from "../env";
import { ApiError } from "../errors";
import { nowMs } from "../lib/clock";
import type { ModelEntry } from "../llm";
import { withPacing } from "../llm/pace";
import { chatCall, type ChatParams } from "../programs/chat-call";
import { extractJson } from "../programs/json-text";
import { answerWithSources, sourceText } from "../programs/rag";
import type { SchemaInput } from "../programs/schema";
import { toSources } from "../retrieval/retrieve";
import type { EvalCallContext } from "./judge-client";
import { exampleSchema } from "./schema-validity";

/** A model's answer to a dataset row, replayed as the row was made, with what it cost and took. */
export interface ReplayResult {
  /** The answer: the program's validated output, the parsed JSON of a structured answer, the prose, or null when there is none. */
  output: unknown;
  /** The answer as the model wrote it (tool arguments or content), when it did not pass through a program. */
  raw: string | null;
  /** The program needed its repair turn: the model's answer as given did not validate. */
  repaired: boolean;
  /** Why there is no output (the program's output stayed invalid after repair, the model refused…). */
  error: string | null;
  /** The contexts the model was shown (the retrieved chunks as the program renders them), for faithfulness. */
  contexts: string[];
  /** The schema the answer is held to: the program's output schema, else the row's tool or response_format schema. */
  schema: SchemaInput | null;
  usage: { prompt_tokens: number; completion_tokens: number; calls: number };
  latency_ms: number;
}

interface StoredExample {
  messages: ChatCompletionMessageParam[];
  tools?: ChatCompletionTool[];
  parallel_tool_calls?: boolean;
  response_format?: ChatParams["response_format"];
}

/**
 * `replayRow(row, model)`: the model answers a dataset row as the row was made. A row made by a
 * program replays through the same program version over the same retrieved chunks (the row's
 * chunk ids, so every model sees the teacher's context); a row with no program (imports,
 * captures, or a program since deleted) replays its stored messages, tools and `response_format`.
 * Calls run inside the caller's pacing when it gives one.
 */
export function replayer(env: Bindings, tenant: TenantHandle, ctx: EvalCallContext) {
  const paced = <T>(fn: () => Promise<T>) => (ctx.pacing ? withPacing(ctx.pacing, fn) : fn());
  return async function replayRow(row: RowRecord, model: ModelEntry): Promise<ReplayResult> {
    if (!row.example) throw new ApiError("bad_request", `Row ${row.id} has no example to replay.`, { details: { row: row.id } });
    const example = JSON.parse(row.example) as StoredExample;
    if (row.program && row.program_version !== null && row.chunk_ids !== null && row.question !== null) {
      const program = await programVersion(tenant, row.program, row.program_version);
      // A deleted program leaves its rows' stored prompts and tools, which still replay.
      if (program) return paced(() => replayProgram(env, tenant, ctx, { row, program, model }));
    }
    return paced(() => replayMessages(env, ctx, { row, example, model }));
  };
}

async function programVersion(tenant: TenantHandle, name: string, version: number): Promise<ProgramRecord | null> {
  try {
    return await tenant.programs.get(name, version);
  } catch (err) {
    if (err instanceof ApiError && err.code === "not_found") return null;
    throw err;
  }
}

async function replayProgram(env: Bindings, tenant: TenantHandle, ctx: EvalCallContext, opts: { row: RowRecord; program: ProgramRecord; model: ModelEntry }): Promise<ReplayResult> {
  const ids = opts.row.chunk_ids ?? [];
  // The row's chunks in their retrieved order; a chunk deleted since is gone from the context.
  const sources = toSources(ids.map((id, i) => ({ id, score: 1 - i / Math.max(1, ids.length) })), ids.length ? await tenant.documents.chunks(ids) : []);
  const started = nowMs();
  const usage = { prompt_tokens: 0, completion_tokens: 0, calls: 0 };
  const base = { raw: null, contexts: sources.map(sourceText), schema: opts.program.output_schema as SchemaInput };
  try {
    const rag = await answerWithSources(env, {
      program: opts.program,
      model: opts.model,
      question: opts.row.question!,
      sources,
      requestId: ctx.requestId,
      onCall: (u) => {
        usage.prompt_tokens += u.prompt_tokens;
        usage.completion_tokens += u.completion_tokens;
        usage.calls++;
        ctx.onCall?.(u);
      },
    });
    return { ...base, output: rag.output, repaired: rag.runs.some((r) => r.repaired), error: null, usage, latency_ms: nowMs() - started };
  } catch (err) {
    if (err instanceof ApiError && err.code === "unprocessable") return { ...base, output: null, repaired: true, error: err.message, usage, latency_ms: nowMs() - started };
    throw err;
  }
}

async function replayMessages(env: Bindings, ctx: EvalCallContext, opts: { row: RowRecord; example: StoredExample; model: ModelEntry }): Promise<ReplayResult> {
  const { example } = opts;
  const lastAnswer = example.messages.map((m) => m.role).lastIndexOf("assistant");
  const prompt = lastAnswer >= 0 ? example.messages.slice(0, lastAnswer) : example.messages;
  const answer = lastAnswer >= 0 ? example.messages[lastAnswer] : undefined;
  const calledTool = answer && "tool_calls" in answer ? answer.tool_calls?.find((c) => c.type === "function") : undefined;
  const params: ChatParams = { messages: prompt };
  if (example.tools?.length) {
    params.tools = example.tools;
    // The stored answer called a tool: the replay asks for that tool, as the row's caller did.
    if (calledTool?.type === "function") params.tool_choice = { type: "function", function: { name: calledTool.function.name } };
    if (example.parallel_tool_calls !== undefined) params.parallel_tool_calls = example.parallel_tool_calls;
  }
  if (example.response_format) params.response_format = example.response_format;
  const started = nowMs();
  const { completion, usage } = await chatCall(env, opts.model, params, ctx.requestId);
  ctx.onCall?.(usage);
  const message = completion.choices[0]?.message;
  const call = message?.tool_calls?.find((c) => c.type === "function");
  const structured = params.tools !== undefined || (params.response_format !== undefined && params.response_format.type !== "text");
  const raw = call?.type === "function" ? call.function.arguments : (message?.content ?? null);
  let output: unknown = raw;
  let error: string | null = message?.refusal ? `the model refused: ${message.refusal}` : null;
  if (raw !== null && structured) {
    const parsed = call ? safeJson(raw) : extractJson(raw);
    output = parsed.ok ? parsed.value : null;
    if (!parsed.ok) error = parsed.error;
  }
  return {
    output: output ?? null,
    raw,
    repaired: false,
    error,
    contexts: [],
    schema: exampleSchema(example),
    usage: { prompt_tokens: usage.prompt_tokens, completion_tokens: usage.completion_tokens, calls: 1 },
    latency_ms: nowMs() - started,
  };
}

/** The row's own answer, the reference an eval compares with: the stored tool arguments or content, parsed when JSON. */
export function referenceOutput(row: Pick<RowRecord, "example">): unknown {
  if (!row.example) return null;
  const example = JSON.parse(row.example) as StoredExample;
  const answer = [...example.messages].reverse().find((m) => m.role === "assistant");
  if (!answer) return null;
  const call = "tool_calls" in answer ? answer.tool_calls?.find((c) => c.type === "function") : undefined;
  if (call?.type === "function") {
    const parsed = safeJson(call.function.arguments);
    return parsed.ok ? parsed.value : null;
  }
  const content = typeof answer.content === "string" ? answer.content : null;
  if (content === null) return null;
  const parsed = extractJson(content);
  return parsed.ok && content.trim().startsWith("{") ? parsed.value : content;
}

function safeJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, error: `not valid JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
}
