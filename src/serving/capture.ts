import type { ChatCompletionMessageParam, ChatCompletionTool } from "openai/resources/chat/completions";
import { qualityProblem } from "../datasets/filters";
import { openTenant } from "../durable/tenant";
import type { RowLabel } from "../durable/tenant/datasets";
import type { Bindings } from "../env";
import { countChatTokens, type ModelEntry } from "../llm";
import { newId } from "../lib/ids";
import { logLine } from "../lib/log";
import type { ChatRequest } from "./params";

/** An assistant's answer as a fine-tuning example's last message. */
export interface AssistantMessage {
  role: "assistant";
  content: string | null;
  tool_calls?: Array<{ id: string; type: "function"; function: { name: string; arguments: string } }>;
}

/** The prompt of an exchange: what the teacher is asked again when a student answered it. */
export interface CapturedPrompt {
  messages: ChatRequest["messages"];
  tools?: ChatRequest["tools"];
  response_format?: ChatRequest["response_format"];
}

/** The `label` queue message that has the teacher answer a student-served capture. */
export interface CaptureLabelMessage {
  type: "capture.label";
  tenant_id: string;
  request_id: string;
  dataset_id: string;
  row_id: string;
}

export function promptOf(req: ChatRequest): CapturedPrompt {
  return { messages: req.messages, ...(req.tools ? { tools: req.tools } : {}), ...(req.response_format ? { response_format: req.response_format } : {}) };
}

/**
 * Records an exchange into the tenant's dataset, never training the student on itself: the
 * teacher's answer (it served, or fell back) is a labeled row through the quality filters; a
 * student's answer is dropped and its prompt stored `pending`, for the teacher to label on the
 * `label` queue (capture-label.ts) before it can count as a training row.
 */
export async function captureExchange(
  env: Bindings,
  opts: { tenantId: string; requestId: string; dataset: string; prompt: CapturedPrompt; answeredBy: "student" | "teacher"; model: ModelEntry; answer: AssistantMessage | null; usage: unknown },
): Promise<void> {
  using tenant = openTenant(env, opts.tenantId);
  const id = newId("row");
  const question = lastUserText(opts.prompt);
  try {
    if (opts.answeredBy === "teacher" && opts.answer) {
      const label = await labelFor(opts.prompt, opts.answer, opts.model, opts.usage);
      await tenant.datasets.capture(opts.dataset, { id, source: "capture", question, program: null, program_version: null, chunk_ids: null, ...label }, { queued: true });
      return;
    }
    const stored = await tenant.datasets.capture(
      opts.dataset,
      { id, source: "capture", status: "pending", reason: null, question, example: JSON.stringify(opts.prompt), tokens: null, program: null, program_version: null, model: null, usage: null, chunk_ids: null },
      { queued: true },
    );
    if (stored.status !== "pending") return;
    const message: CaptureLabelMessage = { type: "capture.label", tenant_id: opts.tenantId, request_id: opts.requestId, dataset_id: stored.dataset, row_id: id };
    await env.LABEL_QUEUE.send(message);
  } catch (err) {
    // Capture must not fail the answer it records (already sent): log and move on.
    logLine("error", "capture not recorded", { tenant: opts.tenantId, dataset: opts.dataset, error: err instanceof Error ? err.message : String(err) });
  }
}

/** The labeled row for a teacher's answer: the example, its tokens, and the quality filters' verdict. */
export async function labelFor(prompt: CapturedPrompt, answer: AssistantMessage, model: ModelEntry, usage: unknown): Promise<RowLabel> {
  const messages = [...prompt.messages, answer] as ChatCompletionMessageParam[];
  const tools = prompt.tools as ChatCompletionTool[] | undefined;
  const { tokens } = await countChatTokens(messages, tools, model.encoding);
  return {
    status: "labeled",
    reason: null,
    ...rejection(prompt, answer),
    example: JSON.stringify({ messages, ...(tools ? { tools } : {}) }),
    tokens,
    model: model.id,
    usage: JSON.stringify(usage ?? null),
  };
}

/** The quality filters of the teacher's labeling, on a structured answer's value or a text's emptiness. */
function rejection(prompt: CapturedPrompt, answer: AssistantMessage): Partial<RowLabel> {
  const call = answer.tool_calls?.[0];
  const schema = call
    ? prompt.tools?.find((t) => t.function.name === call.function.name)?.function.parameters
    : prompt.response_format?.type === "json_schema"
      ? prompt.response_format.json_schema.schema
      : undefined;
  const text = call ? call.function.arguments : answer.content ?? "";
  let value: unknown = text;
  if (schema || call) {
    try {
      value = JSON.parse(text);
    } catch {
      return { status: "rejected", reason: "invalid_output" };
    }
  }
  const problem = qualityProblem(value, (schema ?? {}) as Record<string, unknown>);
  return problem ? { status: "rejected", reason: problem } : {};
}

function lastUserText(prompt: CapturedPrompt): string | null {
  const user = [...prompt.messages].reverse().find((m) => m.role === "user");
  const content = user?.content;
  if (typeof content === "string") return content.slice(0, 2000);
  if (Array.isArray(content)) return content.map((p) => (typeof p.text === "string" ? p.text : "")).join(" ").slice(0, 2000);
  return null;
}
