import { describe, expect, it } from "vitest";
import { Allowance, type Ask, type LeaseAsk, type LeaseGrant, type Observation } from "../../src/durable/provider-limiter/allowance";
import { interactiveShare } from "../../src/durable/provider-limiter/object";
import { livePacing, pacedFetch, providerLimiters, withPacing, type LimiterFor } from "../../src/llm/pace";
import type { FetchLike } from "../../src/llm/providers";
import { newId } from "../../src/lib/ids";
import { bindings } from "../helpers/api";

const NOW = 1_000_000;
const back = (n: number): Observation[] => Array.from({ length: n }, () => ({ ms: 5, tokens: 1 }));

describe("interactive traffic first", () => {
  it("gives a live request a slot at once while a fan-out holds every slot it may take, its own tenant's included", () => {
    const a = new Allowance({ initialWindow: 4, maxWindow: 4, reserve: 0.2 });
    // Background work may use 3 of 4 (a fifth, rounded up, is kept): two tenants' fan-outs share them.
    expect(a.ask({ tenant: "t1", want: 100, reports: [] }, NOW).granted).toBe(3);
    expect(a.ask({ tenant: "t2", want: 100, priority: "background", reports: [] }, NOW).granted).toBe(0);
    // t1's own live request is not held to t1's fair share of batch work.
    expect(a.ask({ tenant: "t1", want: 1, priority: "interactive", reports: [] }, NOW)).toEqual({ granted: 1, waitMs: 0 });
    expect(a.ask({ tenant: "t2", want: 1, reports: [] }, NOW).granted).toBe(0);
  });

  it("never lets background work into the reserved share, however long it waits", () => {
    const a = new Allowance({ initialWindow: 10, maxWindow: 10, reserve: 0.2 });
    expect(a.ask({ tenant: "bg", want: 100, reports: [] }, NOW).granted).toBe(8);
    for (let i = 0; i < 5; i++) {
      expect(a.ask({ tenant: "bg", want: 100, reports: [] }, NOW + i * 1000).granted).toBe(0);
      expect(a.inflight).toBe(8);
    }
    // Live calls take the reserve, and background gets only what its own calls free.
    expect(a.ask({ tenant: "live", want: 5, priority: "interactive", reports: [] }, NOW).granted).toBe(2);
    expect(a.ask({ tenant: "bg", want: 100, reports: back(3) }, NOW).granted).toBe(1);
  });

  it("keeps a fifth for live traffic unless configured otherwise", () => {
    expect(interactiveShare({})).toBe(0.2);
    expect(interactiveShare({ PROVIDER_INTERACTIVE_SHARE: "0.5" })).toBe(0.5);
    expect(interactiveShare({ PROVIDER_INTERACTIVE_SHARE: "2" })).toBe(0.2);
    expect(interactiveShare(bindings)).toBeGreaterThan(0);
  });

  it("answers a live request while a saturated background fan-out waits on the same provider key", async () => {
    // A provider whose calls hang until released: the fan-out fills every slot it may take.
    const held: (() => void)[] = [];
    const calls: string[] = [];
    let onHeld: () => void = () => undefined;
    const upstream: FetchLike = async (input) => {
      const what = String(input);
      calls.push(what);
      if (what.endsWith("/live")) return new Response("{}");
      await new Promise<void>((resolve) => {
        held.push(resolve);
        onHeld();
      });
      return new Response("{}");
    };
    const paced = pacedFetch(upstream, { provider: "openai", baseURL: `https://limiter.test/${newId("key")}`, apiKey: "sk-test" });
    const limiters = providerLimiters(bindings);
    // The live request's asks and grants, seen on their way.
    let liveDenied: () => void = () => undefined;
    const denied = new Promise<"denied">((resolve) => (liveDenied = () => resolve("denied")));
    const liveLimiters: LimiterFor = (key) => ({
      ask: (a: Ask) => limiters(key).ask(a),
      async lease(l: LeaseAsk): Promise<LeaseGrant> {
        const g = await limiters(key).lease(l);
        if (g.slots === 0) liveDenied();
        return g;
      },
    });

    const fanOut = withPacing({ tenant: "tn_fanout", limiterFor: limiters }, () =>
      Promise.all(Array.from({ length: 20 }, (_, i) => paced(`https://upstream.test/bg/${i}`))),
    );
    // Wait until the fan-out holds the share batch work may take of the first window (4 slots).
    const share = Math.max(1, Math.floor(4 * (1 - interactiveShare(bindings))));
    await new Promise<void>((resolve) => (onHeld = () => held.length >= share && resolve()));
    const started = held.length;
    expect(started).toBe(share);

    const live = withPacing({ ...livePacing(bindings, "tn_fanout"), limiterFor: liveLimiters }, () => paced("https://upstream.test/live"));
    const first = await Promise.race([live.then(() => "answered" as const), denied]);
    // Answered while every background call still hangs and the rest of the fan-out waits for slots.
    expect(first).toBe("answered");
    expect(held.length).toBe(started);
    expect(calls.filter((c) => c.includes("/bg/")).length).toBe(started);

    // Let the fan-out finish (each finished call frees a slot for the next).
    const release = setInterval(() => held.splice(0).forEach((r) => r()), 1);
    try {
      await fanOut;
    } finally {
      clearInterval(release);
    }
    expect(calls.filter((c) => c.includes("/bg/")).length).toBe(20);
  });
});
