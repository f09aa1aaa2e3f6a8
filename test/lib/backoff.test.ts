import { describe, expect, it } from "vitest";
import { backoffMs, type BackoffPolicy } from "../../src/lib/backoff";

const full: BackoffPolicy = { baseMs: 1_000, capMs: 60_000, jitter: "full" };
const almostOne = () => 0.999_999;

describe("backoffMs", () => {
  it("draws full jitter under a ceiling that doubles per step, up to the cap", () => {
    expect([0, 1, 2, 3, 10].map((step) => backoffMs(step, full, almostOne))).toEqual([999, 1_999, 3_999, 7_999, 59_999]);
    expect(backoffMs(4, full, () => 0)).toBe(0);
    expect(backoffMs(2, full, () => 0.5)).toBe(2_000);
  });

  it("keeps a proportional jitter around the ceiling, with the policy's growth", () => {
    const poll: BackoffPolicy = { baseMs: 10_000, capMs: 100_000, factor: 1.5, jitter: 0.1 };
    expect(backoffMs(0, poll, () => 0.5)).toBe(10_000);
    expect(backoffMs(1, poll, () => 0)).toBe(13_500);
    expect(backoffMs(1, poll, almostOne)).toBe(16_500);
    expect(backoffMs(50, poll, () => 0.5)).toBe(100_000);
  });

  it("never returns less than minMs, and treats a negative step as the first", () => {
    expect(backoffMs(3, { ...full, minMs: 1_000 }, () => 0)).toBe(1_000);
    expect(backoffMs(-5, full, () => 0.5)).toBe(500);
  });

  it("stays finite however many steps have failed", () => {
    expect(backoffMs(Number.MAX_SAFE_INTEGER, full, almostOne)).toBe(59_999);
    expect(backoffMs(10_000, { ...full, factor: 10 }, () => 0.5)).toBe(30_000);
  });
});
