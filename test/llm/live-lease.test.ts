import { describe, expect, it } from "vitest";
import { Allowance, LEASE_TTL_MS, type LeaseAsk, type Observation } from "../../src/durable/provider-limiter/allowance";
import { LiveLease, type LeaseLimiter, type Wait } from "../../src/llm/live-lease";

const NOW = 1_000_000;
const ok: Observation = { ms: 5, tokens: 10 };

/** A limiter object played by a real Allowance on a clock the test moves; it keeps every ask. */
function limiter(opts: { window?: number; reserve?: number } = {}) {
  let now = NOW;
  const allowance = new Allowance({ initialWindow: opts.window ?? 4, maxWindow: opts.window ?? 4, reserve: opts.reserve ?? 0.2 });
  const asks: LeaseAsk[] = [];
  const object: LeaseLimiter = {
    lease: async (l) => {
      asks.push(structuredClone(l));
      return allowance.lease(l, now);
    },
  };
  return { allowance, asks, object, clock: () => now, advance: (ms: number) => (now += ms) };
}

/** Timers the test fires itself: a lease's waits, held until `fire()` (or their abort). */
function timers() {
  const pending: { ms: number; done: () => void }[] = [];
  const wait: Wait = (ms, signal) =>
    new Promise((resolve) => {
      const entry = { ms, done: () => resolve() };
      pending.push(entry);
      signal?.addEventListener("abort", () => {
        pending.splice(pending.indexOf(entry), 1);
        resolve();
      });
    });
  /** Lets promise chains run until they are waiting on a timer or on nothing. */
  const flush = async () => {
    for (let i = 0; i < 50; i++) await Promise.resolve();
  };
  return {
    wait,
    pending,
    flush,
    /** Fires every waiting timer, and those that start meanwhile, until none is left. */
    async fire() {
      for (let round = 0; round < 20; round++) {
        await flush();
        if (pending.length === 0) return;
        for (const t of pending.splice(0)) t.done();
      }
    },
  };
}

/** `defer` that keeps the deferred work so a test can wait for it. */
function deferred() {
  const pending: Promise<unknown>[] = [];
  return { defer: (p: Promise<unknown>) => void pending.push(p), settled: () => Promise.all(pending.splice(0)) };
}

describe("the provider limiter's leases of interactive slots", () => {
  it("counts leased slots as in flight, so batch work cannot take them, until the lease lapses", () => {
    const a = new Allowance({ initialWindow: 10, maxWindow: 10, reserve: 0.2 });
    expect(a.lease({ holder: "iso_a", want: 3, inUse: 0, reports: [] }, NOW)).toEqual({ slots: 3, ttlMs: LEASE_TTL_MS, waitMs: 0 });
    expect(a.inflight).toBe(3);
    // Batch work may use 8 of 10, less the 3 leased.
    expect(a.ask({ tenant: "bg", want: 100, reports: [] }, NOW).granted).toBe(5);
    // Another isolate's lease gets the rest of the window, not more.
    expect(a.lease({ holder: "iso_b", want: 5, inUse: 0, reports: [] }, NOW).slots).toBe(2);
    // A holder that stops renewing (an isolate gone) frees its slots once its lease lapses.
    expect(a.ask({ tenant: "bg", want: 100, reports: [] }, NOW + LEASE_TTL_MS * 2).granted).toBe(3);
    expect(a.inflight).toBe(8);
  });

  it("keeps a holder's calls in flight counted when its lease shrinks under them, and gives none while paused", () => {
    const a = new Allowance({ initialWindow: 4, maxWindow: 4, reserve: 0.2 });
    expect(a.lease({ holder: "iso_a", want: 4, inUse: 0, reports: [] }, NOW).slots).toBe(4);
    // A 429 saying the allowance is spent: the next ask gets no slots, and its 3 calls still out stay counted.
    const spent: Observation = { ms: 5, tokens: 1, limited: true, limitRequests: 100, remainingRequests: 0, retryAfterMs: 1_000 };
    const g = a.lease({ holder: "iso_a", want: 4, inUse: 3, reports: [spent] }, NOW);
    expect(g.slots).toBe(0);
    expect(g.waitMs).toBeGreaterThanOrEqual(1_000);
    expect(a.inflight).toBe(3);
    // Their reports free them; a lease asked back to nothing holds nothing.
    a.lease({ holder: "iso_a", want: 0, inUse: 0, reports: [ok, ok, ok] }, NOW + 1_100);
    expect(a.inflight).toBe(0);
  });

  it("grows a lease only as far as the provider's remaining requests allow", () => {
    const a = new Allowance({ initialWindow: 10, maxWindow: 10, reserve: 0.2 });
    const g1 = a.ask({ tenant: "bg", want: 1, reports: [] }, NOW);
    expect(g1.granted).toBe(1);
    // The provider says 3 requests remain of 100.
    a.ask({ tenant: "bg", want: 0, reports: [{ ms: 5, tokens: 1, limitRequests: 100, remainingRequests: 3, resetRequestsMs: 500 }] }, NOW);
    expect(a.lease({ holder: "iso_a", want: 8, inUse: 0, reports: [] }, NOW).slots).toBe(3);
  });
});

describe("an isolate's live lease", () => {
  it("starts live calls one after another without a round trip once leased, and gives the slots back once idle", async () => {
    const l = limiter();
    const t = timers();
    const lease = new LiveLease("iso_test", { clock: l.clock, wait: t.wait });
    const { defer, settled } = deferred();
    for (let i = 0; i < 20; i++) {
      await lease.take(l.object, defer);
      lease.release(l.object, ok, defer);
    }
    // One ask for 20 calls (the per-call gate made two round trips a call: an ask and a report).
    expect(l.asks).toHaveLength(1);
    expect(l.asks[0]).toMatchObject({ holder: "iso_test", want: 2, inUse: 0, reports: [] });
    expect(l.allowance.inflight).toBe(2);
    // No call for a while: the lease goes back with the 20 reports, and batch work may use its slots.
    await t.fire();
    await settled();
    expect(l.asks).toHaveLength(2);
    expect(l.asks[1]).toMatchObject({ want: 0, inUse: 0 });
    expect(l.asks[1]!.reports).toHaveLength(20);
    expect(l.allowance.inflight).toBe(0);
  });

  it("renews the lease halfway through its life, off the calls' path, with the reports it holds", async () => {
    const l = limiter();
    const lease = new LiveLease("iso_renew", { clock: l.clock, wait: timers().wait });
    const { defer, settled } = deferred();
    await lease.take(l.object, defer);
    await lease.take(l.object, defer);
    lease.release(l.object, ok, defer);
    expect(l.asks).toHaveLength(1);
    l.advance(LEASE_TTL_MS / 2 + 1);
    await lease.take(l.object, defer);
    await settled();
    expect(l.asks).toHaveLength(2);
    expect(l.asks[1]).toMatchObject({ inUse: 2, reports: [ok] });
  });

  it("asks again, and waits, when every leased slot is busy; a call coming back frees its slot here", async () => {
    const l = limiter({ window: 2, reserve: 0 });
    const t = timers();
    const lease = new LiveLease("iso_busy", { clock: l.clock, wait: t.wait });
    const { defer } = deferred();
    await lease.take(l.object, defer);
    await lease.take(l.object, defer);
    expect(l.allowance.inflight).toBe(2);
    let third = false;
    const waiting = lease.take(l.object, defer).then(() => (third = true));
    await t.flush();
    expect(third).toBe(false);
    expect(t.pending).toHaveLength(1);
    // The window is full: the limiter was asked for more and gave none.
    expect(l.asks.at(-1)!.want).toBeGreaterThan(2);
    lease.release(l.object, ok, defer);
    await waiting;
    expect(third).toBe(true);
    // Never more calls out than the window.
    expect(l.allowance.inflight).toBe(2);
  });

  it("stops starting calls on a 429 and tells the limiter at once", async () => {
    const l = limiter();
    const t = timers();
    const lease = new LiveLease("iso_429", { clock: l.clock, wait: t.wait });
    const { defer, settled } = deferred();
    await lease.take(l.object, defer);
    const asked = l.asks.length;
    lease.release(l.object, { ms: 5, tokens: 1, limited: true, limitRequests: 100, remainingRequests: 0, retryAfterMs: 200 }, defer);
    await settled();
    expect(l.asks).toHaveLength(asked + 1);
    expect(l.asks.at(-1)!.reports[0]).toMatchObject({ limited: true });
    // Paused: the next live call waits rather than going out on the old lease.
    let went = false;
    const next = lease.take(l.object, defer).then(() => (went = true));
    await t.flush();
    expect(went).toBe(false);
    expect(t.pending.map((w) => w.ms)).toEqual([200]);
    // Once the provider's window has reset, it goes.
    l.advance(300);
    await t.fire();
    await next;
    expect(went).toBe(true);
  });

  it("lets a call go when the limiter cannot be reached", async () => {
    const lease = new LiveLease("iso_down", { clock: () => NOW });
    const down: LeaseLimiter = { lease: () => Promise.reject(new Error("object unreachable")) };
    await expect(lease.take(down, () => undefined)).resolves.toBeUndefined();
  });
});
