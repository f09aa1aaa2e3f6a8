import { z } from "zod";

/**
 * One-shot behaviours. Besides the answer spoilers: `server_error` answers OpenAI's 500 (match it on
 * a model name to fail one model and not another: fallback tests); `hang_stream` sends a streamed
 * answer's deltas and then holds the stream open until the caller cancels it (counted in
 * `streams.cancelled`), so a test sees a client's disconnect reach the provider.
 */
export const SCRIPT_ACTIONS = ["invalid_json", "chatty_preamble", "wrong_count", "no_context", "refusal", "server_error", "hang_stream"] as const;
export type ScriptAction = (typeof SCRIPT_ACTIONS)[number];

const rate = z.number().min(0).max(1).default(0);

/** A run's configuration (PUT /_emulator/runs/:run). Every field is optional. */
export const runConfigSchema = z.strictObject({
  /** Added to every /v1 response, in real milliseconds. */
  latency_ms: z.number().int().min(0).max(120_000).optional(),
  /** Requests per rolling 60 s of real time (chat completions and embeddings). */
  rpm: z.number().int().positive().optional(),
  /** Tokens per rolling 60 s of real time (chat completions and embeddings). */
  tpm: z.number().int().positive().optional(),
  faults: z
    .strictObject({
      seed: z.union([z.number(), z.string()]).default(0),
      rate_429: rate,
      rate_500: rate,
      rate_503: rate,
    })
    .refine((f) => f.rate_429 + f.rate_500 + f.rate_503 <= 1, "fault rates must sum to at most 1")
    .optional(),
  // speed 0 freezes the clock, so only explicit advances move it (exact tests).
  clock: z.strictObject({ speed: z.number().min(0).max(1e9).default(1) }).optional(),
  fine_tuning: z
    .strictObject({
      durations_ms: z
        .strictObject({
          validating: z.number().int().min(0).optional(),
          queued: z.number().int().min(0).optional(),
          running: z.number().int().min(1).optional(),
        })
        .optional(),
      fail: z.string().min(1).optional(),
      hold_running: z.boolean().optional(),
    })
    .optional(),
  script: z
    .array(
      z.strictObject({
        action: z.enum(SCRIPT_ACTIONS),
        times: z.number().int().positive().default(1),
        match: z.string().min(1).optional(),
      }),
    )
    .max(1000)
    .optional(),
});

export type RunConfig = z.infer<typeof runConfigSchema>;
export type FaultConfig = NonNullable<RunConfig["faults"]>;
export type ScriptStep = NonNullable<RunConfig["script"]>[number];

/** Fine-tuning phase durations when a run does not set them (emulated ms). */
export const DEFAULT_DURATIONS_MS = { validating: 60_000, queued: 60_000, running: 480_000 } as const;

/** What PUT /_emulator/runs/:run accepts (defaults not yet applied). */
export type RunConfigInput = z.input<typeof runConfigSchema>;
