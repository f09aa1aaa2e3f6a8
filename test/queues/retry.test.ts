import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../../src/errors";
import { MAX_INGEST_ATTEMPTS, retryLater } from "../../src/queues/retry";
import { readFileSync } from "node:fs";
import { parseWranglerConfig } from "../../scripts/lib/wrangler-config";

function fakeMessage(attempts: number) {
  const calls: (QueueRetryOptions | undefined)[] = [];
  const msg = { id: "m", attempts, retry: (o?: QueueRetryOptions) => void calls.push(o) } as unknown as Message<unknown>;
  return { msg, calls };
}

/** The delay (s) retryLater asks the queue for, with the jitter's draw fixed at `draw`. */
function delayAt(attempts: number, draw: number, err = new ApiError("upstream_unavailable", "down")): number {
  vi.spyOn(Math, "random").mockReturnValue(draw);
  const { msg, calls } = fakeMessage(attempts);
  const returned = retryLater(msg, err);
  expect(calls).toHaveLength(1);
  expect(calls[0]!.delaySeconds).toBe(returned);
  return returned;
}

describe("retryLater", () => {
  afterEach(() => vi.restoreAllMocks());

  it("waits as long as the provider's Retry-After says", () => {
    const { msg, calls } = fakeMessage(1);
    retryLater(msg, new ApiError("rate_limited", "slow down", { retryAfterMs: 7_000 }));
    expect(calls[0]?.delaySeconds).toBe(7);
  });

  it("never waits longer than 15 minutes, whatever the Retry-After", () => {
    expect(delayAt(1, 0.5, new ApiError("rate_limited", "slow down", { retryAfterMs: 3 * 3600_000 }))).toBe(900);
  });

  it("backs off exponentially without a Retry-After: the jitter's ceiling doubles with each attempt, up to 5 minutes", () => {
    // At the top of the jitter the delay is the ceiling itself: 1 s, 2 s, 4 s, … until the cap.
    const top = 0.999_999;
    const delays = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((attempts) => delayAt(attempts, top));
    expect(delays).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256]);
    expect(delayAt(10, top)).toBe(300);
    expect(delayAt(40, top)).toBe(300);
    // Full jitter: half-way up the draw, half the ceiling.
    expect(delayAt(9, 0.5)).toBe(128);
  });

  it("waits at least a second, even when the jitter draws zero", () => {
    for (const attempts of [1, 5, 12]) expect(delayAt(attempts, 0)).toBe(1);
  });
});

describe("MAX_INGEST_ATTEMPTS", () => {
  it("is the ingest queue's deliveries (1 + max_retries in wrangler.jsonc): the last one fails the document with its error", () => {
    const config = parseWranglerConfig(readFileSync("wrangler.jsonc", "utf8"));
    const maxRetries = Number(config.queues?.consumers?.find((c) => c.queue === "distillery-ingest")?.max_retries);
    expect(maxRetries).toBeGreaterThan(0);
    expect(MAX_INGEST_ATTEMPTS).toBe(maxRetries + 1);
  });
});
