import { describe, expect, it } from "vitest";
import { Allowance, type Observation } from "../../src/durable/provider-limiter/allowance";
import { observe } from "../../src/llm/pace";
import { bindings } from "../helpers/api";
import { callEmulator, configureRun, uniqueRun } from "../helpers/emulator";

/**
 * The limiter learns from the emulator's real x-ratelimit-* headers and 429s. Time stands still
 * (every ask at the same `now`), so only the headers move it.
 */
const NOW = 1_000_000;

async function embed(run: string): Promise<{ status: number; o: Observation }> {
  const res = await callEmulator("/v1/embeddings", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer sk-test", "x-emulator-run": run },
    body: JSON.stringify({ model: "text-embedding-3-small", input: "how fast may we go?" }),
  });
  await res.text();
  const limited = res.status === 429;
  return { status: res.status, o: { ...observe(res.headers), limited, ...(limited ? { retryAfterMs: Number(res.headers.get("retry-after-ms")) } : {}), ms: 0, tokens: 10 } };
}

/** One call through the allowance: ask for a slot, make the call, report it with the next ask. */
async function oneCall(a: Allowance, run: string, tenant = "t1"): Promise<{ status: number; o: Observation }> {
  expect(a.ask({ tenant, want: 1, reports: [] }, NOW).granted).toBe(1);
  const r = await embed(run);
  a.ask({ tenant, want: 0, reports: [r.o] }, NOW);
  return r;
}

describe("the provider limiter", () => {
  it("widens while the headers show room, narrows as the remaining count falls low, halves on a 429 and then grants nothing", async () => {
    const run = uniqueRun("pace");
    await configureRun(run, { rpm: 20 });
    const a = new Allowance({ initialWindow: 2, maxWindow: 256, reserve: 0 });
    const windows: number[] = [];
    let last = await oneCall(a, run);
    windows.push(a.window);
    // 20 a minute: room (≥ 10% left) for the first 18 calls.
    while (last.o.remainingRequests! >= 2) {
      last = await oneCall(a, run);
      windows.push(a.window);
    }
    expect(last.status).toBe(200);
    const widest = windows[windows.length - 2]!;
    expect(widest).toBeGreaterThan(10);
    expect(windows.slice(0, -1)).toEqual([...windows.slice(0, -1)].sort((x, y) => x - y)); // only widened
    // Remaining fell below 10% and kept falling: narrowed by a quarter.
    expect(a.window).toBeLessThan(widest);
    const beforeLast = a.window;
    last = await oneCall(a, run); // the 20th: remaining 0
    expect(last.o.remainingRequests).toBe(0);
    // The bucket is empty: nothing is granted however wide the window.
    const empty = a.ask({ tenant: "t1", want: 5, reports: [] }, NOW);
    expect(empty.granted).toBe(0);
    expect(empty.waitMs).toBeGreaterThan(0);
    // A call made anyway (another client of the key) is refused: the window halves, all wait.
    const refused = await embed(run);
    expect(refused.status).toBe(429);
    const before429 = a.window;
    a.ask({ tenant: "t1", want: 0, reports: [refused.o] }, NOW);
    expect(a.window).toBeLessThanOrEqual(Math.max(2, before429 / 2));
    expect(a.window).toBeLessThanOrEqual(beforeLast);
    const paused = a.ask({ tenant: "t1", want: 1, reports: [] }, NOW);
    expect(paused).toEqual({ granted: 0, waitMs: expect.any(Number) });
    expect(paused.waitMs).toBeGreaterThan(1000);
  });

  it("grants more calls at once as the window widens, up to the remaining count less the calls in flight", async () => {
    const run = uniqueRun("pace");
    await configureRun(run, { rpm: 1000 });
    const a = new Allowance({ initialWindow: 4, maxWindow: 256, reserve: 0 });
    expect(a.ask({ tenant: "t1", want: 50, reports: [] }, NOW).granted).toBe(4);
    const reports = [];
    for (let i = 0; i < 4; i++) reports.push((await embed(run)).o);
    // Four calls back with room: four more slots, and the window is wider than the first.
    const next = a.ask({ tenant: "t1", want: 50, reports }, NOW);
    expect(next.granted).toBe(8);
    expect(a.window).toBe(8);
  });

  it("budgets tokens as well as requests: grants what the remaining tokens cover at the calls' average", async () => {
    const run = uniqueRun("pace");
    await configureRun(run, { tpm: 100 });
    const a = new Allowance({ initialWindow: 4, maxWindow: 256, reserve: 0 });
    let last = await oneCall(a, run);
    for (let i = 0; i < 3; i++) last = await oneCall(a, run);
    const remaining = last.o.remainingTokens!;
    expect(remaining).toBeLessThan(100);
    // The window allows more (no request limit at all), the tokens do not: each call is budgeted at 10.
    expect(a.window).toBeGreaterThan(Math.floor(remaining / 10));
    expect(a.ask({ tenant: "t1", want: 50, reports: [] }, NOW).granted).toBe(Math.floor(remaining / 10));
  });

  it("keeps a tenant to its fair share while another waits, and a reserve for interactive calls", () => {
    const a = new Allowance({ initialWindow: 10, maxWindow: 10, reserve: 0.2 });
    // Batch work may use 8 of 10; two tenants waiting share them.
    expect(a.ask({ tenant: "big", want: 100, reports: [] }, NOW).granted).toBe(8);
    expect(a.ask({ tenant: "small", want: 100, reports: [] }, NOW).granted).toBe(0);
    // big's calls come back: it may take only its half now that small waits.
    const done: Observation[] = Array.from({ length: 8 }, () => ({ ms: 5, tokens: 1 }));
    expect(a.ask({ tenant: "big", want: 100, reports: done }, NOW).granted).toBe(4);
    expect(a.ask({ tenant: "small", want: 100, reports: [] }, NOW).granted).toBe(4);
    // The reserve: interactive traffic still gets the last two slots.
    expect(a.ask({ tenant: "small", want: 1, reports: [] }, NOW).granted).toBe(0);
    expect(a.ask({ tenant: "live", want: 5, interactive: true, reports: [] }, NOW).granted).toBe(2);
  });

  it("is one Durable Object per provider key, answering asks over RPC", async () => {
    const stub = bindings.PROVIDER_LIMITER.get(bindings.PROVIDER_LIMITER.idFromName("openai:test"));
    const g = await stub.ask({ tenant: "t1", want: 3, reports: [] });
    expect(g.granted).toBe(3);
    expect((await stub.state()).inflight).toBe(3);
  });
});
