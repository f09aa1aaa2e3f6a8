import { describe, expect, it } from "vitest";
import { ApiError } from "../../src/errors";
import { retryLater } from "../../src/queues/retry";

function fakeMessage(attempts: number) {
  const calls: (QueueRetryOptions | undefined)[] = [];
  const msg = { id: "m", attempts, retry: (o?: QueueRetryOptions) => void calls.push(o) } as unknown as Message<unknown>;
  return { msg, calls };
}

describe("retryLater", () => {
  it("waits as long as the provider's Retry-After says", () => {
    const { msg, calls } = fakeMessage(1);
    retryLater(msg, new ApiError("rate_limited", "slow down", { retryAfterMs: 7_000 }));
    expect(calls[0]?.delaySeconds).toBe(7);
  });

  it("backs off exponentially without a Retry-After, capped at 15 minutes", () => {
    const delays = [1, 3, 6, 12].map((attempts) => {
      const { msg, calls } = fakeMessage(attempts);
      retryLater(msg, new ApiError("upstream_unavailable", "down"));
      return calls[0]!.delaySeconds!;
    });
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(1);
      expect(d).toBeLessThanOrEqual(900);
    }
  });
});
