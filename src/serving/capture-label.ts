import { z } from "zod";
import { openTenant } from "../durable/tenant";
import type { Bindings } from "../env";
import { causeOf } from "../errors";
import { loadCatalog, resolveModel } from "../llm";
import { logLine } from "../lib/log";
import { recordUsage } from "../usage/record";
import { type AssistantMessage, type CapturedPrompt, labelFor } from "./capture";
import { callUpstream } from "./upstream";

/** Teacher attempts on one captured prompt before it is marked failed (never trained on). */
export const MAX_CAPTURE_LABEL_ATTEMPTS = 5;

const captureLabelSchema = z.object({
  type: z.literal("capture.label"),
  tenant_id: z.string().min(1),
  request_id: z.string().min(1),
  dataset_id: z.string().min(1),
  row_id: z.string().min(1),
});

/** Whether a `label` queue message is a captured prompt for the teacher (else the dataset steps' own). */
export function isCaptureLabel(body: unknown): boolean {
  return typeof body === "object" && body !== null && (body as { type?: unknown }).type === "capture.label";
}

/**
 * Has the teacher answer a student-served capture's prompt and labels the row with it (through
 * the quality filters), so the row counts for training only with the teacher's answer. A row
 * labeled already (a redelivery) is acked untouched; a failed call retries with backoff, and
 * after MAX_CAPTURE_LABEL_ATTEMPTS the row is marked failed.
 */
export async function labelCapture(msg: Message<unknown>, env: Bindings): Promise<void> {
  const parsed = captureLabelSchema.safeParse(msg.body);
  if (!parsed.success) {
    logLine("error", "malformed capture.label message", { message_id: msg.id });
    msg.ack();
    return;
  }
  const m = parsed.data;
  using tenant = openTenant(env, m.tenant_id);
  const row = await tenant.datasets.row(m.row_id);
  if (!row || row.status !== "pending" || !row.example) {
    msg.ack();
    return;
  }
  const prompt = JSON.parse(row.example) as CapturedPrompt;
  const catalog = loadCatalog(env);
  const teacher = resolveModel(catalog, catalog.defaults.teacher);
  const result = await callUpstream(env, { entry: teacher, base_url: null }, "/chat/completions", { ...prompt }, {
    requestId: m.request_id,
    signal: new AbortController().signal,
  });
  if (!result.ok) {
    if (result.error.retryable && msg.attempts < MAX_CAPTURE_LABEL_ATTEMPTS) {
      msg.retry({ delaySeconds: Math.min(300, 2 ** msg.attempts * 5) });
      return;
    }
    await tenant.datasets.labelCaptured(m.row_id, { status: "failed", reason: `teacher: ${causeOf(result.error)}`.slice(0, 500), example: row.example, tokens: null, model: null, usage: null });
    msg.ack();
    return;
  }
  const completion = (await result.response.json()) as {
    choices?: Array<{ message?: { content?: string | null; tool_calls?: AssistantMessage["tool_calls"] } }>;
    usage?: { prompt_tokens?: number; completion_tokens?: number };
  };
  const message = completion.choices?.[0]?.message;
  const usage = { prompt_tokens: completion.usage?.prompt_tokens ?? 0, completion_tokens: completion.usage?.completion_tokens ?? 0 };
  const answer: AssistantMessage = { role: "assistant", content: message?.content ?? null, ...(message?.tool_calls?.length ? { tool_calls: message.tool_calls } : {}) };
  await tenant.datasets.labelCaptured(m.row_id, await labelFor(prompt, answer, teacher, usage));
  await recordUsage(tenant, [{ model: teacher, kind: "chat", ...usage }]);
  msg.ack();
}
