import { APIError, RateLimitError } from "openai";
import { describe, expect, it } from "vitest";
import { configureRun, emulatorClient, runStats, uniqueRun } from "../helpers/emulator";

const MODEL = "gpt-4o-mini-2024-07-18";
const ask = (i: number) => ({ model: MODEL, messages: [{ role: "user" as const, content: `Request number ${i}: what is the capital of France?` }] });

/** The status each request got (200 or the error's status). */
async function statuses(run: string, requests: Array<ReturnType<typeof ask>>, concurrent: boolean): Promise<number[]> {
  const client = emulatorClient(run);
  const one = (r: ReturnType<typeof ask>) =>
    client.chat.completions.create(r).then(
      () => 200,
      (e: unknown) => (e instanceof APIError ? (e.status ?? 0) : -1),
    );
  if (concurrent) return Promise.all(requests.map(one));
  const out: number[] = [];
  for (const r of requests) out.push(await one(r));
  return out;
}

describe("emulator: fault injection", () => {
  it("answers 429 with Retry-After and rate-limit headers once the rpm budget is spent", async () => {
    const run = uniqueRun("rpm");
    await configureRun(run, { rpm: 2 });
    const client = emulatorClient(run);
    const { response } = await client.chat.completions.create(ask(1)).withResponse();
    expect(response.headers.get("x-ratelimit-limit-requests")).toBe("2");
    expect(response.headers.get("x-ratelimit-remaining-requests")).toBe("1");
    expect(response.headers.get("x-ratelimit-reset-requests")).toMatch(/^\d+(\.\d+)?(ms|s)$|^\d+m\d+s$/);
    await client.chat.completions.create(ask(2));
    const err = await client.chat.completions.create(ask(3)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    const limited = err as RateLimitError;
    expect(limited.code).toBe("rate_limit_exceeded");
    expect(limited.type).toBe("requests");
    expect(Number(limited.headers?.get("retry-after"))).toBeGreaterThan(0);
    expect(Number(limited.headers?.get("retry-after-ms"))).toBeGreaterThan(0);
    expect(limited.headers?.get("x-ratelimit-remaining-requests")).toBe("0");
    expect(limited.headers?.get("x-ratelimit-limit-requests")).toBe("2");
    expect((await runStats(run)).rate_limited).toBe(1);
  });

  it("enforces a tpm budget with the tokens headers", async () => {
    const run = uniqueRun("tpm");
    await configureRun(run, { tpm: 60 });
    const client = emulatorClient(run);
    const { response } = await client.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "Paris is the capital of France. What is the capital of France?" }] }).withResponse();
    expect(response.headers.get("x-ratelimit-limit-tokens")).toBe("60");
    expect(Number(response.headers.get("x-ratelimit-remaining-tokens"))).toBeLessThan(60);
    const err = await client.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "word ".repeat(100) }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).type).toBe("tokens");
  });

  it("draws 500/503 from a seeded schedule that is the same across runs and independent of ordering", async () => {
    const faults = { seed: 1234, rate_500: 0.25, rate_503: 0.25 };
    const requests = Array.from({ length: 24 }, (_, i) => ask(i));
    const a = uniqueRun("seed-a");
    const b = uniqueRun("seed-b");
    await configureRun(a, { faults });
    await configureRun(b, { faults });
    const sequential = await statuses(a, requests, false);
    const concurrent = await statuses(b, requests, true);
    expect(concurrent).toEqual(sequential);
    expect(sequential).toContain(200);
    expect(sequential).toContain(500);
    expect(sequential).toContain(503);
    const stats = await runStats(a);
    expect(stats.faults["500"]).toBe(sequential.filter((s) => s === 500).length);
    expect(stats.faults["503"]).toBe(sequential.filter((s) => s === 503).length);
    expect(stats.requests["POST /v1/chat/completions"]).toBe(24);

    const other = uniqueRun("seed-c");
    await configureRun(other, { faults: { ...faults, seed: 99 } });
    expect(await statuses(other, requests, false)).not.toEqual(sequential);
  });

  it("gives a retry of the same request a fresh draw", async () => {
    const run = uniqueRun("retry");
    await configureRun(run, { faults: { seed: "retry", rate_503: 0.5 } });
    const same = Array.from({ length: 12 }, () => ask(0));
    const seen = await statuses(run, same, false);
    expect(new Set(seen)).toEqual(new Set([200, 503]));
  });

  it("injects 429s with Retry-After", async () => {
    const run = uniqueRun("inj429");
    await configureRun(run, { faults: { seed: 1, rate_429: 1 } });
    const err = await emulatorClient(run).chat.completions.create(ask(1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).headers?.get("retry-after")).toBe("1");
    expect((await runStats(run)).faults["429"]).toBe(1);
  });

  it("accepts a latency setting and still answers", async () => {
    const run = uniqueRun("latency");
    const described = await configureRun(run, { latency_ms: 1 });
    expect(described.config.latency_ms).toBe(1);
    const res = await emulatorClient(run).chat.completions.create(ask(1));
    expect(res.choices[0]!.message.content).toBeTruthy();
  });
});
