import type { ChatCompletionMessageParam, ChatCompletionTool } from "openai/resources/chat/completions";
import { qualityProblem } from "../datasets/filters";
import { openTenant } from "../durable/tenant";
import type { NewRow, RowLabel } from "../durable/tenant/datasets";
import type { CaptureIntake } from "../durable/tenant/captures";
import type { UsageEvent } from "../durable/tenant/usage";
import type { CaptureMessage } from "../queues/messages";
import { sendUsageMessage } from "../usage/queue";
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

/** The most a capture message may weigh as JSON: under the queue's 128 KB per message. */
const MAX_QUEUED_CAPTURE_BYTES = 120 * 1024;

/**
 * Records an exchange into the tenant's dataset, never training the student on itself: the
 * teacher's answer (it served, or fell back) is a labeled row through the quality filters; a
 * student's answer is dropped and its prompt stored `pending`, for the teacher to label on the
 * `label` queue (capture-label.ts) before it can count as a training row.
 *
 * It leaves through the usage queue, whose consumer writes each batch's captures and usage to the
 * tenant's object in one call (`recordIntake`). An exchange over the queue's message size, or one
 * the queue refuses, is recorded directly by the same code, under the same row id.
 */
export async function captureExchange(
  env: Bindings,
  opts: { tenantId: string; requestId: string; dataset: string; prompt: CapturedPrompt; answeredBy: "student" | "teacher"; model: Pick<ModelEntry, "id" | "encoding">; answer: AssistantMessage | null; usage: unknown },
): Promise<void> {
  const message: CaptureMessage = {
    type: "capture.record",
    tenant_id: opts.tenantId,
    request_id: opts.requestId,
    id: newId("row"),
    dataset_id: opts.dataset,
    answered_by: opts.answeredBy,
    model: { id: opts.model.id, encoding: opts.model.encoding },
    prompt: opts.prompt as CaptureMessage["prompt"],
    answer: opts.answer as CaptureMessage["answer"],
    usage: opts.usage,
  };
  try {
    if (new TextEncoder().encode(JSON.stringify(message)).byteLength <= MAX_QUEUED_CAPTURE_BYTES) {
      try {
        return await sendUsageMessage(env, message);
      } catch (err) {
        logLine("warn", "usage queue refused a capture: writing it directly", { tenant: opts.tenantId, request_id: opts.requestId, error: err instanceof Error ? err.message : String(err) });
      }
    }
    await recordIntake(env, opts.tenantId, [], [message]);
  } catch (err) {
    // Capture must not fail the answer it records (already sent): log and move on.
    logLine("error", "capture not recorded", { tenant: opts.tenantId, dataset: opts.dataset, request_id: opts.requestId, error: err instanceof Error ? err.message : String(err) });
  }
}

/**
 * Writes a batch of one tenant's usage events and captured exchanges in one object call, then
 * queues the teacher's labeling of the student-served ones. Throws when the object call fails (the
 * queue retries the batch: rows and events are stored once by their ids, and a labeling sent twice
 * labels once). A capture whose dataset is gone is logged and dropped.
 */
export async function recordIntake(env: Bindings, tenantId: string, events: UsageEvent[], captures: CaptureMessage[]): Promise<void> {
  const intake: CaptureIntake[] = [];
  for (const c of captures) intake.push({ dataset: c.dataset_id, row: await rowOf(c) });
  using tenant = openTenant(env, tenantId);
  const { captures: outcomes } = await tenant.usage.intake(events, intake);
  const labels: { body: CaptureLabelMessage }[] = [];
  outcomes.forEach((o, i) => {
    const c = captures[i]!;
    if (!o.ok) logLine("error", "capture not recorded", { tenant: tenantId, dataset: c.dataset_id, request_id: c.request_id, error: o.error });
    else if (o.status === "pending") labels.push({ body: { type: "capture.label", tenant_id: tenantId, request_id: c.request_id, dataset_id: o.dataset, row_id: c.id } });
  });
  if (labels.length > 0) await env.LABEL_QUEUE.sendBatch(labels);
}

/** A capture's row: the teacher's answer labeled through the filters, or a student's prompt pending. */
async function rowOf(c: CaptureMessage): Promise<Omit<NewRow, "split">> {
  const prompt = c.prompt as CapturedPrompt;
  const answer = c.answer as AssistantMessage | null;
  const base = { id: c.id, source: "capture" as const, question: lastUserText(prompt), program: null, program_version: null, chunk_ids: null };
  if (c.answered_by === "teacher" && answer) return { ...base, ...(await labelFor(prompt, answer, c.model, c.usage)) };
  return { ...base, status: "pending", reason: null, example: JSON.stringify(prompt), tokens: null, model: null, usage: null };
}

/** The labeled row for a teacher's answer: the example, its tokens, and the quality filters' verdict. */
export async function labelFor(prompt: CapturedPrompt, answer: AssistantMessage, model: Pick<ModelEntry, "id" | "encoding">, usage: unknown): Promise<RowLabel> {
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
