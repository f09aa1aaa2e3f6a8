import { z } from "zod";
import { encodingSchema } from "../llm/catalog-schema";

/** Every queue message names its tenant and carries the request id that caused it. */
const envelope = {
  tenant_id: z.string().min(1),
  request_id: z.string().min(1),
};

/** Queue names as declared in wrangler.jsonc. */
export const QUEUES = {
  ingest: "distillery-ingest",
  label: "distillery-label",
  eval: "distillery-eval",
  usage: "distillery-usage",
} as const;

export const ingestMessageSchema = z.object({ ...envelope, type: z.literal("ingest.document"), document_id: z.string() });
/** The `label` queue carries both steps of a dataset: questions per chunk, then a label per question. */
export const generateMessageSchema = z.object({
  ...envelope,
  type: z.literal("dataset.generate"),
  dataset_id: z.string(),
  chunk_id: z.string(),
  /** Times this step was sent back for want of a slot (waiting is not an attempt). */
  waits: z.number().int().min(0).optional(),
});
export const labelMessageSchema = z.object({
  ...envelope,
  type: z.literal("dataset.label"),
  dataset_id: z.string(),
  question_id: z.string(),
  /** Times this step was sent back for want of a slot (waiting is not an attempt). */
  waits: z.number().int().min(0).optional(),
});
export const labelQueueMessageSchema = z.discriminatedUnion("type", [generateMessageSchema, labelMessageSchema]);
/** The `eval` queue: one message per eval task (an answer or a judge unit, by its stable id). */
export const evalTaskMessageSchema = z.object({ ...envelope, type: z.literal("eval.task"), eval_id: z.string(), task_id: z.string() });
/** A job created with `evaluate: true` succeeded: start its eval (one per job, whatever the deliveries). */
export const evalJobMessageSchema = z.object({ ...envelope, type: z.literal("eval.job"), job_id: z.string() });
export const evalMessageSchema = z.discriminatedUnion("type", [evalTaskMessageSchema, evalJobMessageSchema]);

export type IngestMessage = z.infer<typeof ingestMessageSchema>;
export type GenerateMessage = z.infer<typeof generateMessageSchema>;
export type LabelMessage = z.infer<typeof labelMessageSchema>;
export type LabelQueueMessage = z.infer<typeof labelQueueMessageSchema>;
export type EvalMessage = z.infer<typeof evalMessageSchema>;
export type EvalTaskMessage = z.infer<typeof evalTaskMessageSchema>;
export type EvalJobMessage = z.infer<typeof evalJobMessageSchema>;

/**
 * Usage of one request's model calls, on its way to the tenant's object (src/queues/usage.ts).
 * `id` is the event's own: a redelivered message finds it recorded and changes nothing. `at` is
 * when the calls were made (their day is theirs, not the consumer's).
 */
export const usageMessageSchema = z.object({
  ...envelope,
  type: z.literal("usage.record"),
  id: z.string().min(1).max(64),
  at: z.iso.datetime(),
  entries: z
    .array(
      z.object({
        model: z.string().min(1),
        kind: z.enum(["chat", "embedding"]),
        prompt_tokens: z.number().int().min(0),
        completion_tokens: z.number().int().min(0),
        cost_usd: z.number().min(0),
      }),
    )
    .min(1)
    .max(100),
});
export type UsageMessage = z.infer<typeof usageMessageSchema>;

/**
 * An exchange served under `/openai/v1` to record into a dataset (src/serving/capture.ts), on the
 * usage queue beside its usage. `id` is its row's: a redelivered message stores it once. The
 * prompt and answer are the request's and the model's, as sent (at most the queue's 128 KB per
 * message; a larger exchange is written directly instead).
 */
export const captureMessageSchema = z.object({
  ...envelope,
  type: z.literal("capture.record"),
  id: z.string().min(1).max(64),
  dataset_id: z.string().min(1),
  answered_by: z.enum(["student", "teacher"]),
  model: z.object({ id: z.string().min(1), encoding: encodingSchema }),
  prompt: z.looseObject({ messages: z.array(z.looseObject({ role: z.string() })).min(1) }),
  answer: z.looseObject({ role: z.literal("assistant") }).nullable(),
  usage: z.unknown(),
});
export type CaptureMessage = z.infer<typeof captureMessageSchema>;

/** What the usage queue carries: usage events and captured exchanges. */
export const usageQueueMessageSchema = z.discriminatedUnion("type", [usageMessageSchema, captureMessageSchema]);
export type UsageQueueMessage = z.infer<typeof usageQueueMessageSchema>;

