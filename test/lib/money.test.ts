import { describe, expect, it } from "vitest";
import { roundUsd, toMicros, usdOf } from "../../src/lib/money";

describe("money in micro-dollars", () => {
  it("sums exactly where dollars as floats drift", () => {
    const calls = [0.1, 0.7];
    expect(calls.reduce((a, b) => a + b, 0)).not.toBe(0.8); // as floats: 0.7999999999999999
    expect(usdOf(calls.reduce((a, b) => a + toMicros(b), 0))).toBe(0.8);
    expect(String(usdOf(toMicros(0.1) + toMicros(0.2)))).toBe("0.3");
  });

  it("shows a computed amount with at most 6 decimals", () => {
    expect(roundUsd((1234567 * 8) / 1e6)).toBe(9.876536);
    expect(String(roundUsd(0.37199000000000004))).toBe("0.37199");
    expect(toMicros(0.0000004)).toBe(0);
  });
});
