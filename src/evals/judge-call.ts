import type { z } from "zod";
import type { ChatCompletion, ChatCompletionMessageParam, ChatCompletionMessageToolCall, ChatCompletionTool } from "openai/resources/chat/completions";
import type { ChatParams } from "../programs/chat-call";
import type { CallUsage } from "../usage/record";

/** One chat call to the judge model (the judge client, or a test double). */
export type JudgeChat = (params: ChatParams) => Promise<{ completion: ChatCompletion; usage: CallUsage }>;

/** The judge as metrics see it: which model answers, and how to call it. */
export interface Judge {
  model: string;
  chat: JudgeChat;
}

/** A judge tool: its name is how the verdict is read back (and how a provider's emulator knows a judge call). */
export interface JudgeTool {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

/** What a judge call was asked and answered, kept so a verdict can be audited (storage comes with eval runs). */
export interface JudgeRecord {
  metric: string;
  tool: string;
  model: string;
  /** The first turn's messages: the judge's whole input. */
  messages: ChatCompletionMessageParam[];
  /** Each attempt's raw tool arguments (or content when it did not call the tool), and why it was refused. */
  attempts: Array<{ raw: string; error: string | null }>;
  usage: { prompt_tokens: number; completion_tokens: number };
  ok: boolean;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * Asks the judge through a forced tool call and reads its arguments with `parse`; an answer that
 * does not parse gets one repair turn showing the problem. Still unparseable → `value: null`
 * (the metric is then undetermined, never a made-up number). Provider errors propagate: a
 * rate limit is the caller's to retry, not a verdict.
 */
export async function askJudge<T>(
  judge: Judge,
  opts: { metric: string; tool: JudgeTool; messages: ChatCompletionMessageParam[]; parse: (args: unknown) => Parsed<T> },
): Promise<{ value: T | null; record: JudgeRecord }> {
  const tool: ChatCompletionTool = { type: "function", function: { name: opts.tool.name, description: opts.tool.description, parameters: opts.tool.parameters } };
  const base: ChatParams = {
    messages: opts.messages,
    tools: [tool],
    tool_choice: { type: "function", function: { name: opts.tool.name } },
    parallel_tool_calls: false,
  };
  const record: JudgeRecord = { metric: opts.metric, tool: opts.tool.name, model: judge.model, messages: opts.messages, attempts: [], usage: { prompt_tokens: 0, completion_tokens: 0 }, ok: false };
  let messages = opts.messages;
  for (let attempt = 0; attempt < 2; attempt++) {
    const { completion, usage } = await judge.chat({ ...base, messages });
    record.usage.prompt_tokens += usage.prompt_tokens;
    record.usage.completion_tokens += usage.completion_tokens;
    const read = readToolCall(completion, opts.tool.name, opts.parse);
    record.attempts.push({ raw: read.raw, error: read.parsed.ok ? null : read.parsed.error });
    if (read.parsed.ok) {
      record.ok = true;
      return { value: read.parsed.value, record };
    }
    messages = [...opts.messages, ...repairTurn(opts.tool.name, read.call, read.raw, read.parsed.error)];
  }
  return { value: null, record };
}

function readToolCall<T>(completion: ChatCompletion, name: string, parse: (args: unknown) => Parsed<T>): { raw: string; call?: ChatCompletionMessageToolCall; parsed: Parsed<T> } {
  const message = completion.choices[0]?.message;
  const call = message?.tool_calls?.find((c) => c.type === "function" && c.function.name === name);
  if (!call || call.type !== "function") return { raw: message?.refusal ?? message?.content ?? "", parsed: { ok: false, error: `the judge did not call ${name}` } };
  const raw = call.function.arguments;
  let args: unknown;
  try {
    args = JSON.parse(raw);
  } catch (err) {
    return { raw, call, parsed: { ok: false, error: `the arguments are not valid JSON (${err instanceof Error ? err.message : String(err)})` } };
  }
  return { raw, call, parsed: parse(args) };
}

/** The judge sees its own answer and what is wrong with it, as a program's repair turn does. */
function repairTurn(name: string, call: ChatCompletionMessageToolCall | undefined, raw: string, error: string): ChatCompletionMessageParam[] {
  const ask = `Your ${name} call could not be used: ${error}. Call ${name} again with arguments that follow its schema exactly.`;
  if (call) return [{ role: "assistant", content: null, tool_calls: [call] }, { role: "tool", tool_call_id: call.id, content: ask }];
  return [{ role: "assistant", content: raw || "(no answer)" }, { role: "user", content: ask }];
}

/** Parses tool arguments with a zod schema, then refines the value. */
export function parseWith<S extends z.ZodType, T>(schema: S, args: unknown, then: (v: z.infer<S>) => Parsed<T>): Parsed<T> {
  const r = schema.safeParse(args);
  if (!r.success) return { ok: false, error: r.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ") };
  return then(r.data);
}
