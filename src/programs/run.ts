import type { ChatCompletion, ChatCompletionMessageParam, ChatCompletionTool } from "openai/resources/chat/completions";
import type { ProgramRecord } from "../durable/tenant/programs";
import type { Bindings } from "../env";
import { ApiError } from "../errors";
import { countChatTokens, type ModelEntry } from "../llm";
import type { CallUsage } from "../usage/record";
import { chatCall, type ChatParams } from "./chat-call";
import { extractJson } from "./json-text";
import { firstTurn, jsonRepairTurn, programTool, responseFormat, toolRepairTurn } from "./messages";
import { assertModeSupported } from "./models";
import { compileOutputValidator } from "./schema";
import { nowMs } from "../lib/clock";

/** An OpenAI chat fine-tuning example: what the student will see, and the answer it should give. */
export interface FineTuningExample {
  messages: ChatCompletionMessageParam[];
  tools?: ChatCompletionTool[];
  parallel_tool_calls?: boolean;
}

export interface ProgramRun {
  output: unknown;
  model: ModelEntry;
  /** Summed over every call of the run (a repair turn is a second call). */
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  calls: CallUsage[];
  latency_ms: number;
  repaired: boolean;
  /** The clean example to train on: first-turn prompt → the valid answer (the repair turn is not taught). */
  example: FineTuningExample;
}

type Problem = { path: string; message: string };

/** Room kept for the answer when checking a prompt against the model's window. */
const ANSWER_RESERVE_TOKENS = 4096;

/**
 * Runs a program once: a forced tool call (tools mode) or JSON text (json mode),
 * validated against the output schema, with one repair turn that shows the model
 * its errors; still invalid → 422 with the errors and the raw answer.
 */
export async function runProgram(
  env: Bindings,
  opts: {
    program: ProgramRecord;
    rendered: string;
    model: ModelEntry;
    requestId: string;
    temperature?: number;
    /** Told of every model call as it returns, so usage is recorded even when the run then fails. */
    onCall?: (usage: CallUsage) => void;
  },
): Promise<ProgramRun> {
  const { program, model } = opts;
  assertModeSupported(model, program.mode);
  const started = nowMs();
  const messages = firstTurn(program, opts.rendered);
  const tools = program.mode === "tools" ? [programTool(program)] : undefined;
  await assertFitsWindow(model, messages, tools);

  const base: ChatParams =
    program.mode === "tools"
      ? {
          messages,
          tools,
          tool_choice: { type: "function", function: { name: program.name } },
          parallel_tool_calls: false,
        }
      : { messages, ...responseFormat(program, model) };
  if (opts.temperature !== undefined) base.temperature = opts.temperature;

  const calls: CallUsage[] = [];
  const first = await chatCall(env, model, base, opts.requestId);
  calls.push(first.usage);
  opts.onCall?.(first.usage);
  let attempt = readAnswer(program, first.completion);
  let repaired = false;
  if (!attempt.ok) {
    const repairMessages =
      program.mode === "tools" && attempt.toolCall
        ? [...messages, ...toolRepairTurn(attempt.toolCall, attempt.errors)]
        : [...messages, ...jsonRepairTurn(attempt.raw, attempt.errors)];
    const second = await chatCall(env, model, { ...base, messages: repairMessages }, opts.requestId);
    calls.push(second.usage);
    opts.onCall?.(second.usage);
    attempt = readAnswer(program, second.completion);
    repaired = true;
  }
  if (!attempt.ok) {
    throw new ApiError("unprocessable", `The model's output does not match the program's schema after one repair turn.`, {
      details: { errors: attempt.errors, raw: attempt.raw, model: model.id },
    });
  }

  const prompt = calls.reduce((n, c) => n + c.prompt_tokens, 0);
  const completion = calls.reduce((n, c) => n + c.completion_tokens, 0);
  return {
    output: attempt.value,
    model,
    usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
    calls,
    latency_ms: nowMs() - started,
    repaired,
    example: exampleOf(program, messages, tools, attempt.value),
  };
}

type Answer =
  | { ok: true; value: unknown; raw: string }
  | { ok: false; errors: Problem[]; raw: string; toolCall?: NonNullable<ChatCompletion["choices"][0]["message"]["tool_calls"]>[0] };

/** Parses and validates the model's answer (tool arguments or JSON text). */
function readAnswer(program: ProgramRecord, completion: ChatCompletion): Answer {
  const message = completion.choices[0]?.message;
  if (!message) return { ok: false, errors: [{ path: "", message: "the model returned no choice" }], raw: "" };
  if (message.refusal) return { ok: false, errors: [{ path: "", message: `the model refused: ${message.refusal}` }], raw: message.refusal };
  let raw: string;
  let toolCall: Extract<Answer, { ok: false }>["toolCall"];
  if (program.mode === "tools") {
    toolCall = message.tool_calls?.find((c) => c.type === "function" && c.function.name === program.name);
    if (!toolCall || toolCall.type !== "function") {
      return { ok: false, errors: [{ path: "", message: `the model did not call ${program.name}` }], raw: message.content ?? "" };
    }
    raw = toolCall.function.arguments;
  } else {
    raw = message.content ?? "";
  }
  const parsed = program.mode === "tools" ? safeParse(raw) : extractJson(raw);
  if (!parsed.ok) return { ok: false, errors: [{ path: "", message: parsed.error }], raw, toolCall };
  const checked = compileOutputValidator(program.output_schema)(parsed.value);
  if (!checked.ok) return { ok: false, errors: checked.errors, raw, toolCall };
  return { ok: true, value: checked.value, raw };
}

function safeParse(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, error: `not valid JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/**
 * The captured example, exactly as OpenAI's chat fine-tuning takes it: tools mode with
 * `tools` and an assistant `tool_calls` answer (not the deprecated `functions`); json
 * mode with the JSON text as the assistant's content.
 */
function exampleOf(
  program: ProgramRecord,
  messages: ChatCompletionMessageParam[],
  tools: ChatCompletionTool[] | undefined,
  output: unknown,
): FineTuningExample {
  const args = JSON.stringify(output);
  if (program.mode === "tools" && tools) {
    return {
      messages: [
        ...messages,
        {
          role: "assistant",
          tool_calls: [{ id: "call_0", type: "function", function: { name: program.name, arguments: args } }],
        },
      ],
      tools,
      parallel_tool_calls: false,
    };
  }
  return { messages: [...messages, { role: "assistant", content: args }] };
}

/** 400 when the prompt cannot fit the model's context window with room for an answer. */
export async function assertFitsWindow(model: ModelEntry, messages: ChatCompletionMessageParam[], tools?: ChatCompletionTool[]): Promise<number> {
  const { tokens, estimated } = await countChatTokens(messages, tools, model.encoding);
  const reserve = Math.min(ANSWER_RESERVE_TOKENS, model.max_output_tokens);
  if (tokens + reserve > model.context_window) {
    throw new ApiError(
      "bad_request",
      `The prompt is ${estimated ? "about " : ""}${tokens} tokens; with ${reserve} kept for the answer it does not fit ${model.id}'s window of ${model.context_window}.`,
      { details: { prompt_tokens: tokens, context_window: model.context_window, estimated } },
    );
  }
  return tokens;
}
