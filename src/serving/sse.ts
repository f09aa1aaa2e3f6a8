/** What a relayed stream carried so far: the first choice's text and tool calls, and the usage chunk. */
export interface StreamTally {
  content: string;
  toolCalls: Map<number, { id: string; name: string; arguments: string }>;
  finishReason: string | null;
  usage: { prompt_tokens: number; completion_tokens: number } | null;
  /** Whether any byte reached the client. */
  started: boolean;
}

export type StreamEnd = "done" | "cancelled" | "error";

interface ChunkShape {
  choices?: Array<{ index?: number; delta?: { content?: string | null; tool_calls?: Array<{ index?: number; id?: string; function?: { name?: string; arguments?: string } }> }; finish_reason?: string | null }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
}

const EVENT_END = /\r?\n\r?\n/;

/**
 * Relays an upstream SSE body event by event as each network chunk arrives (nothing waits for the
 * end): the usage chunk is read and dropped unless the client asked for it (`keepUsage`; we always
 * ask upstream for it, to account the call). Cancelling the returned stream (the client left)
 * cancels the upstream body, which aborts its request; `onEnd` then gets what was seen so far.
 */
export function relayStream(
  upstream: ReadableStream<Uint8Array>,
  opts: { keepUsage: boolean; onEnd: (tally: StreamTally, how: StreamEnd) => void; onCancel?: () => void },
): ReadableStream<Uint8Array> {
  const reader = upstream.getReader();
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  const tally: StreamTally = { content: "", toolCalls: new Map(), finishReason: null, usage: null, started: false };
  let buffer = "";
  let ended = false;
  const end = (how: StreamEnd) => {
    if (ended) return;
    ended = true;
    opts.onEnd(tally, how);
  };

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (err) {
          controller.error(err);
          end("error");
          return;
        }
        if (chunk.done) {
          buffer += decoder.decode();
          if (buffer.trim()) controller.enqueue(encoder.encode(relayEvent(buffer, tally, opts.keepUsage) ?? ""));
          controller.close();
          end("done");
          return;
        }
        buffer += decoder.decode(chunk.value, { stream: true });
        let out = "";
        for (let m = EVENT_END.exec(buffer); m; m = EVENT_END.exec(buffer)) {
          const event = buffer.slice(0, m.index);
          buffer = buffer.slice(m.index + m[0].length);
          const relayed = relayEvent(event, tally, opts.keepUsage);
          if (relayed !== null) out += `${relayed}\n\n`;
        }
        if (out) {
          tally.started = true;
          controller.enqueue(encoder.encode(out));
          return;
        }
      }
    },
    async cancel(reason) {
      opts.onCancel?.();
      end("cancelled");
      await reader.cancel(reason).catch(() => undefined);
    },
  });
}

/** One SSE event: tallied, and returned as it came, or null when it is the usage chunk to drop. */
function relayEvent(event: string, tally: StreamTally, keepUsage: boolean): string | null {
  const data = event
    .split(/\r?\n/)
    .filter((l) => l.startsWith("data:"))
    .map((l) => l.slice(5).trimStart())
    .join("\n");
  if (!data || data === "[DONE]") return event;
  let chunk: ChunkShape;
  try {
    chunk = JSON.parse(data) as ChunkShape;
  } catch {
    return event;
  }
  if (chunk.usage) {
    tally.usage = { prompt_tokens: chunk.usage.prompt_tokens ?? 0, completion_tokens: chunk.usage.completion_tokens ?? 0 };
    if (!keepUsage && (chunk.choices?.length ?? 0) === 0) return null;
  }
  for (const choice of chunk.choices ?? []) {
    if ((choice.index ?? 0) !== 0) continue;
    if (choice.finish_reason) tally.finishReason = choice.finish_reason;
    if (typeof choice.delta?.content === "string") tally.content += choice.delta.content;
    for (const call of choice.delta?.tool_calls ?? []) {
      const i = call.index ?? 0;
      const seen = tally.toolCalls.get(i) ?? { id: "", name: "", arguments: "" };
      if (call.id) seen.id = call.id;
      if (call.function?.name) seen.name += call.function.name;
      if (call.function?.arguments) seen.arguments += call.function.arguments;
      tally.toolCalls.set(i, seen);
    }
  }
  return event;
}
