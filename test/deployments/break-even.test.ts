import { describe, expect, it } from "vitest";
import { answerCostUsd, breakEvenRequestsPerDay } from "../../src/deployments/break-even";

describe("break-even traffic", () => {
  it("is the day's endpoint cost over what each request saves against the teacher", () => {
    // 500 prompt + 200 completion tokens at $2/$10 per 1M: $0.003 an answer.
    const teacher = answerCostUsd({ prompt: 500, completion: 200 }, { input: 2, output: 10 });
    expect(teacher).toBeCloseTo(0.003, 9);
    // $3.36/h × 24 = $80.64 a day ÷ $0.003 = 26,880 requests.
    expect(breakEvenRequestsPerDay(3.36, teacher)).toBe(26_880);
    // A student that costs per token as well needs more traffic to pay back.
    expect(breakEvenRequestsPerDay(3.36, teacher, 0.001)).toBe(40_320);
  });

  it("is null when the student's answer costs as much as the teacher's", () => {
    expect(breakEvenRequestsPerDay(3.36, 0.001, 0.001)).toBeNull();
    expect(breakEvenRequestsPerDay(3.36, 0)).toBeNull();
  });
});
