import { describe, expect, it } from "vitest";
import { relayStream, type StreamEnd, type StreamTally } from "../../src/serving/sse";

const enc = new TextEncoder();
const chunk = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;
const EVENTS = [
  chunk({ choices: [{ index: 0, delta: { role: "assistant", content: "" } }], usage: null }),
  chunk({ choices: [{ index: 0, delta: { content: "Abbey " } }], usage: null }),
  chunk({ choices: [{ index: 0, delta: { content: "Road" } }], usage: null }),
  chunk({ choices: [{ index: 0, delta: {}, finish_reason: "stop" }], usage: null }),
  chunk({ choices: [], usage: { prompt_tokens: 12, completion_tokens: 3 } }),
  "data: [DONE]\n\n",
];

/** An upstream body that delivers `text` in pieces of `size` bytes (events split anywhere). */
function upstream(text: string, size: number): ReadableStream<Uint8Array> {
  const bytes = enc.encode(text);
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

async function relay(text: string, size: number, keepUsage: boolean) {
  let end: { tally: StreamTally; how: StreamEnd } | null = null;
  const out = await new Response(relayStream(upstream(text, size), { keepUsage, onEnd: (tally, how) => (end = { tally, how }) })).text();
  return { out, end: end! as { tally: StreamTally; how: StreamEnd } };
}

describe("relaying an upstream SSE stream", () => {
  for (const size of [1, 7, 64, 10_000]) {
    it(`passes every event through unchanged and drops the unasked usage chunk (pieces of ${size} bytes)`, async () => {
      const { out, end } = await relay(EVENTS.join(""), size, false);
      expect(out).toBe(EVENTS.filter((_, i) => i !== 4).join(""));
      expect(end.how).toBe("done");
      expect(end.tally).toMatchObject({ content: "Abbey Road", finishReason: "stop", usage: { prompt_tokens: 12, completion_tokens: 3 } });
    });
  }

  it("keeps the usage chunk when the client asked for it", async () => {
    const { out } = await relay(EVENTS.join(""), 5, true);
    expect(out).toBe(EVENTS.join(""));
  });

  it("assembles streamed tool-call arguments", async () => {
    const events = [
      chunk({ choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: "record", arguments: "" } }] } }] }),
      chunk({ choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"a":' } }] } }] }),
      chunk({ choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: "1}" } }] } }] }),
      "data: [DONE]\n\n",
    ];
    const { end } = await relay(events.join(""), 3, false);
    expect([...end.tally.toolCalls.values()]).toEqual([{ id: "call_1", name: "record", arguments: '{"a":1}' }]);
  });

  it("cancels the upstream when the client cancels, and reports what was relayed", async () => {
    let cancelled = false;
    const held = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(enc.encode(EVENTS.slice(0, 2).join("")));
      },
      cancel() {
        cancelled = true;
      },
    });
    let end: StreamEnd | null = null;
    let tally: StreamTally | null = null;
    const reader = relayStream(held, { keepUsage: false, onEnd: (t, how) => ((end = how), (tally = t)) }).getReader();
    await reader.read();
    await reader.cancel();
    expect(cancelled).toBe(true);
    expect(end).toBe("cancelled");
    expect(tally!.content).toBe("Abbey ");
  });
});
