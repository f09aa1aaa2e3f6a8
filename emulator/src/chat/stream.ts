import type { GeneratedChoice } from "./respond";

export interface CompletionBase {
  id: string;
  created: number;
  model: string;
  system_fingerprint: string;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number; audio_tokens: number };
  completion_tokens_details: { reasoning_tokens: number; audio_tokens: number; accepted_prediction_tokens: number; rejected_prediction_tokens: number };
}

/** Splits text into deltas of a few words each (whitespace kept with the word after it). */
function pieces(text: string, wordsPerPiece = 3): string[] {
  const tokens = text.match(/\s*\S+|\s+$/g) ?? [];
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i += wordsPerPiece) out.push(tokens.slice(i, i + wordsPerPiece).join(""));
  return out.length ? out : [text];
}

function chunkPieces(text: string, size = 16): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length ? out : [""];
}

/**
 * The SSE body of a streamed completion: per choice a role delta, content (or refusal)
 * deltas, tool-call deltas (id, type and name first, then arguments in pieces), a
 * finish_reason chunk; then a usage chunk with empty choices when asked; then [DONE].
 */
export function streamBody(base: CompletionBase, choices: GeneratedChoice[], usage: Usage | null): string {
  return streamEvents(base, choices, usage).join("");
}

/** The events of streamBody, one string each (`data: …\n\n`). */
export function streamEvents(base: CompletionBase, choices: GeneratedChoice[], usage: Usage | null): string[] {
  const lines: string[] = [];
  const emit = (choice: Record<string, unknown> | null) => {
    const chunk: Record<string, unknown> = {
      id: base.id,
      object: "chat.completion.chunk",
      created: base.created,
      model: base.model,
      system_fingerprint: base.system_fingerprint,
      choices: choice ? [choice] : [],
    };
    if (usage) chunk.usage = null;
    lines.push(`data: ${JSON.stringify(chunk)}\n\n`);
  };
  const delta = (index: number, d: Record<string, unknown>, finish: string | null = null) => emit({ index, delta: d, logprobs: null, finish_reason: finish });
  for (const c of choices) {
    delta(c.index, { role: "assistant", content: c.content === null && c.toolCalls.length ? null : "", refusal: null });
    if (c.content) for (const p of pieces(c.content)) delta(c.index, { content: p });
    if (c.refusal) for (const p of pieces(c.refusal)) delta(c.index, { refusal: p });
    c.toolCalls.forEach((call, i) => {
      delta(c.index, { tool_calls: [{ index: i, id: call.id, type: "function", function: { name: call.function.name, arguments: "" } }] });
      for (const p of chunkPieces(call.function.arguments)) delta(c.index, { tool_calls: [{ index: i, function: { arguments: p } }] });
    });
    delta(c.index, {}, c.finishReason);
  }
  if (usage) {
    lines.push(
      `data: ${JSON.stringify({ id: base.id, object: "chat.completion.chunk", created: base.created, model: base.model, system_fingerprint: base.system_fingerprint, choices: [], usage })}\n\n`,
    );
  }
  lines.push("data: [DONE]\n\n");
  return lines;
}

/** How long a held stream waits for its caller to cancel before it fails (real ms): nothing hangs forever. */
const HOLD_LIMIT_MS = 30_000;

/**
 * A `hang_stream` answer: every delta but the last (finish, usage, [DONE]) at once, then the stream
 * stays open until the caller cancels it (`onCancel`), or errors after HOLD_LIMIT_MS.
 */
export function heldStream(events: string[], onCancel: () => void): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const sent = events.slice(0, Math.max(1, events.length - 3));
  let timer: ReturnType<typeof setTimeout> | undefined;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (const e of sent) controller.enqueue(encoder.encode(e));
      timer = setTimeout(() => controller.error(new Error("held stream was never cancelled")), HOLD_LIMIT_MS);
    },
    cancel() {
      if (timer !== undefined) clearTimeout(timer);
      onCancel();
    },
  });
}
