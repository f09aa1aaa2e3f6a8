import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import {
  endOf,
  type FunctionCallItem,
  type OutputItem,
  type OutputMessage,
  outputText,
  type ResponseContext,
  type ResponseObject,
  responseObject,
  type ResponseUsage,
  responseUsage,
} from "./response";

/*
 * The Responses API's streaming events, as the `openai` SDK v7 types them
 * (resources/responses/responses.d.ts: ResponseCreatedEvent, ResponseInProgressEvent,
 * ResponseOutputItemAddedEvent/DoneEvent, ResponseContentPartAddedEvent/DoneEvent,
 * ResponseTextDeltaEvent/DoneEvent, ResponseRefusalDeltaEvent/DoneEvent,
 * ResponseFunctionCallArgumentsDeltaEvent/DoneEvent, ResponseCompletedEvent,
 * ResponseIncompleteEvent, ResponseFailedEvent). Each is sent as `event: <type>` and
 * `data: <json>`, numbered from 0 by `sequence_number`; the stream ends with the terminal
 * event and no `[DONE]` line (unlike chat completions).
 */
export type ResponseEvent = { type: string; sequence_number: number } & Record<string, unknown>;

/** A failure of the upstream stream after it began, carried through the stream so it ends the Response as `failed`. */
export interface StreamFailure {
  failure: NonNullable<ResponseObject["error"]>;
}

interface OpenPart {
  kind: "output_text" | "refusal";
  index: number;
  text: string;
}

interface OpenMessage {
  outputIndex: number;
  item: OutputMessage;
  part: OpenPart | null;
}

interface OpenCall {
  outputIndex: number;
  item: FunctionCallItem;
}

/**
 * Turns chat completion chunks into Responses events as they arrive (no buffering: every delta
 * becomes its event at once). Text opens a `message` item with an `output_text` part (a refusal,
 * a `refusal` part); each tool call becomes a `function_call` item whose arguments stream as
 * deltas. Items are closed (`…done`) when the next kind of output begins, or at the end.
 */
export class ResponsesStreamTranslator {
  private sequence = 0;
  private readonly output: OutputItem[] = [];
  private message: OpenMessage | null = null;
  private readonly calls = new Map<number, OpenCall>();
  private finishReason: ChatCompletionChunk.Choice["finish_reason"] | undefined;
  private usage: ResponseUsage | null = null;
  private ended = false;

  constructor(private readonly ctx: ResponseContext) {}

  /** `response.created` and `response.in_progress`, sent before the upstream's first token. */
  start(): ResponseEvent[] {
    const response = responseObject(this.ctx, "in_progress");
    return [this.event("response.created", { response }), this.event("response.in_progress", { response })];
  }

  /** The events one chat chunk makes (often one delta). */
  chunk(chunk: ChatCompletionChunk): ResponseEvent[] {
    const events: ResponseEvent[] = [];
    if (chunk.usage) this.usage = responseUsage(chunk.usage);
    // Responses has no `n`: only the first choice is an answer.
    const choice = chunk.choices.find((c) => c.index === 0);
    if (!choice) return events;
    const delta = choice.delta ?? {};
    if (delta.content) events.push(...this.text("output_text", delta.content));
    if (delta.refusal) events.push(...this.text("refusal", delta.refusal));
    for (const call of delta.tool_calls ?? []) events.push(...this.toolCall(call));
    if (choice.finish_reason) this.finishReason = choice.finish_reason;
    return events;
  }

  /** Closes every open item and ends with `response.completed` (or `response.incomplete` when cut short), usage included. */
  finish(): ResponseEvent[] {
    if (this.ended) return [];
    this.ended = true;
    const end = endOf(this.finishReason);
    const status = end.status === "completed" ? "completed" : "incomplete";
    const events = [...this.closeMessage(status), ...this.closeCalls(status)];
    const response = responseObject(this.ctx, end.status, this.output, this.usage, { incomplete: end.incomplete });
    events.push(this.event(end.status === "completed" ? "response.completed" : "response.incomplete", { response }));
    return events;
  }

  /** Ends the Response as `failed` (the upstream broke off after the stream began); items so far are kept, marked incomplete. */
  fail(failure: StreamFailure["failure"]): ResponseEvent[] {
    if (this.ended) return [];
    this.ended = true;
    const events = [...this.closeMessage("incomplete"), ...this.closeCalls("incomplete")];
    const response = responseObject(this.ctx, "failed", this.output, this.usage, { error: failure });
    events.push(this.event("response.failed", { response }));
    return events;
  }

  private text(kind: OpenPart["kind"], delta: string): ResponseEvent[] {
    const events: ResponseEvent[] = [];
    if (!this.message) {
      // Text after a tool call starts a new message item (models rarely do this; chat allows it).
      events.push(...this.closeCalls("completed"));
      const item: OutputMessage = { id: this.ctx.itemId("msg"), type: "message", role: "assistant", status: "in_progress", content: [] };
      this.message = { outputIndex: this.output.length, item, part: null };
      this.output.push(item);
      events.push(this.event("response.output_item.added", { output_index: this.message.outputIndex, item: snapshot(item) }));
    }
    const message = this.message;
    if (message.part?.kind !== kind) {
      events.push(...this.closePart());
      message.part = { kind, index: message.item.content.length, text: "" };
      events.push(this.event("response.content_part.added", { ...this.partAt(), part: partOf(kind, "") }));
    }
    message.part!.text += delta;
    events.push(this.event(kind === "output_text" ? "response.output_text.delta" : "response.refusal.delta", {
      ...this.partAt(),
      delta,
      ...(kind === "output_text" ? { logprobs: [] } : {}),
    }));
    return events;
  }

  private toolCall(delta: NonNullable<ChatCompletionChunk.Choice.Delta["tool_calls"]>[number]): ResponseEvent[] {
    const events: ResponseEvent[] = [];
    let open = this.calls.get(delta.index);
    if (!open) {
      // A message before a tool call is finished once the model turns to calling.
      events.push(...this.closeMessage("completed"));
      const item: FunctionCallItem = {
        id: this.ctx.itemId("fc"),
        type: "function_call",
        status: "in_progress",
        call_id: delta.id ?? this.ctx.itemId("call"),
        name: delta.function?.name ?? "",
        arguments: "",
      };
      open = { outputIndex: this.output.length, item };
      this.calls.set(delta.index, open);
      this.output.push(item);
      events.push(this.event("response.output_item.added", { output_index: open.outputIndex, item: snapshot(item) }));
    } else if (delta.function?.name && !open.item.name) {
      open.item.name = delta.function.name;
    }
    const args = delta.function?.arguments;
    if (args) {
      open.item.arguments += args;
      events.push(this.event("response.function_call_arguments.delta", { item_id: open.item.id, output_index: open.outputIndex, delta: args }));
    }
    return events;
  }

  private partAt() {
    const m = this.message!;
    return { item_id: m.item.id, output_index: m.outputIndex, content_index: m.part!.index };
  }

  private closePart(): ResponseEvent[] {
    const m = this.message;
    const part = m?.part;
    if (!m || !part) return [];
    const done = partOf(part.kind, part.text);
    m.item.content.push(done);
    const at = this.partAt();
    m.part = null;
    return [
      part.kind === "output_text"
        ? this.event("response.output_text.done", { ...at, text: part.text, logprobs: [] })
        : this.event("response.refusal.done", { ...at, refusal: part.text }),
      this.event("response.content_part.done", { ...at, part: done }),
    ];
  }

  private closeMessage(status: "completed" | "incomplete"): ResponseEvent[] {
    const m = this.message;
    if (!m) return [];
    const events = this.closePart();
    m.item.status = status;
    events.push(this.event("response.output_item.done", { output_index: m.outputIndex, item: snapshot(m.item) }));
    this.message = null;
    return events;
  }

  private closeCalls(status: "completed" | "incomplete"): ResponseEvent[] {
    const events: ResponseEvent[] = [];
    for (const open of this.calls.values()) {
      const { item, outputIndex } = open;
      item.status = status;
      events.push(
        this.event("response.function_call_arguments.done", { item_id: item.id, output_index: outputIndex, arguments: item.arguments }),
        this.event("response.output_item.done", { output_index: outputIndex, item: snapshot(item) }),
      );
    }
    this.calls.clear();
    return events;
  }

  private event(type: string, fields: Record<string, unknown>): ResponseEvent {
    return { type, sequence_number: this.sequence++, ...fields };
  }
}

function partOf(kind: OpenPart["kind"], text: string) {
  return kind === "output_text" ? outputText(text) : { type: "refusal" as const, refusal: text };
}

/** A copy of an item as it is now (it keeps changing after the event is sent). */
function snapshot<T extends OutputItem>(item: T): T {
  return structuredClone(item);
}

/** One event as server-sent-event text. */
export function sseEvent(event: ResponseEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/**
 * Chat completion chunks in, Responses SSE bytes out: the created events at once, then each
 * chunk's events as it arrives, then the terminal event (`failed` when a StreamFailure came).
 */
export function responsesEventStream(ctx: ResponseContext): TransformStream<ChatCompletionChunk | StreamFailure, Uint8Array> {
  const translator = new ResponsesStreamTranslator(ctx);
  const encoder = new TextEncoder();
  const send = (controller: TransformStreamDefaultController<Uint8Array>, events: ResponseEvent[]) => {
    if (events.length) controller.enqueue(encoder.encode(events.map(sseEvent).join("")));
  };
  return new TransformStream({
    start: (controller) => send(controller, translator.start()),
    transform: (chunk, controller) => send(controller, "failure" in chunk ? translator.fail(chunk.failure) : translator.chunk(chunk)),
    flush: (controller) => send(controller, translator.finish()),
  });
}

/**
 * An async iterable of chunks (the SDK's chat stream) as a ReadableStream, pulled one chunk at
 * a time. A failure while iterating becomes a StreamFailure item (so the client is told), and
 * cancelling the stream returns the iterator, which aborts the upstream request.
 */
export function chunkSource(
  chunks: AsyncIterable<ChatCompletionChunk>,
  describe: (err: unknown) => StreamFailure["failure"],
): ReadableStream<ChatCompletionChunk | StreamFailure> {
  const iterator = chunks[Symbol.asyncIterator]();
  return new ReadableStream<ChatCompletionChunk | StreamFailure>(
    {
      async pull(controller) {
        try {
          const next = await iterator.next();
          if (next.done) controller.close();
          else controller.enqueue(next.value);
        } catch (err) {
          controller.enqueue({ failure: describe(err) });
          controller.close();
        }
      },
      async cancel() {
        await iterator.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}

export type { ResponseObject };
