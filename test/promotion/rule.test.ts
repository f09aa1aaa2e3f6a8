import { describe, expect, it } from "vitest";
import { decidePromotion, DEFAULT_PROMOTION_RULE, promotionRuleSchema, type PromotionEvidence } from "../../src/promotion/rule";

/** Evidence that passes every default condition exactly at its boundary. */
const atBoundary = (): PromotionEvidence => ({
  candidate: "ft:student",
  incumbent: "gpt-teacher",
  scored: 30,
  schema_validity: { candidate: 0.95, incumbent: 0.96 },
  faithfulness_diff_lower: -0.05,
  pairwise: { wins: 7, losses: 7, ties: 16 },
});

const condition = (e: PromotionEvidence, name: string) => decidePromotion(e).conditions.find((c) => c.name === name)!;

describe("the promotion rule's defaults", () => {
  it("are the issue's: validity drop 0.01, faithfulness lower bound −0.05, wins ≥ losses, 30 scored, no auto-promotion", () => {
    expect(DEFAULT_PROMOTION_RULE).toEqual({
      auto_promote: false,
      min_scored: 30,
      max_schema_validity_drop: 0.01,
      min_faithfulness_lower_bound: -0.05,
      require_wins_at_least_losses: true,
    });
  });

  it("promotes evidence that meets every condition exactly at its threshold", () => {
    const d = decidePromotion(atBoundary());
    expect(d.decision).toBe("promote");
    expect(d.conditions.map((c) => [c.name, c.passed, c.value, c.threshold])).toEqual([
      ["min_scored", true, 30, 30],
      ["schema_validity", true, -0.01, -0.01],
      ["faithfulness", true, -0.05, -0.05],
      ["pairwise", true, 0, 0],
    ]);
  });
});

describe("each condition just past its boundary keeps the incumbent, saying which", () => {
  it("29 scored questions", () => {
    const e = { ...atBoundary(), scored: 29 };
    expect(decidePromotion(e).decision).toBe("keep");
    expect(condition(e, "min_scored")).toMatchObject({ passed: false, value: 29, threshold: 30 });
  });

  it("schema validity 0.011 below the incumbent's", () => {
    const e = { ...atBoundary(), schema_validity: { candidate: 0.949, incumbent: 0.96 } };
    expect(decidePromotion(e).decision).toBe("keep");
    expect(condition(e, "schema_validity")).toMatchObject({ passed: false, value: -0.011 });
  });

  it("a faithfulness lower bound of −0.0501", () => {
    const e = { ...atBoundary(), faithfulness_diff_lower: -0.0501 };
    expect(decidePromotion(e).decision).toBe("keep");
    expect(condition(e, "faithfulness")).toMatchObject({ passed: false, value: -0.0501 });
  });

  it("one more pairwise loss than wins", () => {
    const e = { ...atBoundary(), pairwise: { wins: 7, losses: 8, ties: 15 } };
    expect(decidePromotion(e).decision).toBe("keep");
    expect(condition(e, "pairwise")).toMatchObject({ passed: false, value: -1 });
  });

  it("only the failing condition fails", () => {
    const d = decidePromotion({ ...atBoundary(), scored: 10 });
    expect(d.conditions.filter((c) => !c.passed).map((c) => c.name)).toEqual(["min_scored"]);
  });
});

describe("what was not measured", () => {
  it("schema validity measured for neither model (no output schema) does not block", () => {
    const e = { ...atBoundary(), schema_validity: { candidate: null, incumbent: null } };
    expect(condition(e, "schema_validity")).toMatchObject({ passed: true, value: null });
    expect(decidePromotion(e).decision).toBe("promote");
  });

  it("schema validity measured for one model only blocks", () => {
    const e = { ...atBoundary(), schema_validity: { candidate: null, incumbent: 0.9 } };
    expect(decidePromotion(e).decision).toBe("keep");
  });

  it("no pairwise comparison blocks unless the tenant waived it", () => {
    const e = { ...atBoundary(), pairwise: null };
    expect(condition(e, "pairwise")).toMatchObject({ passed: false, value: null });
    expect(decidePromotion(e, { ...DEFAULT_PROMOTION_RULE, require_wins_at_least_losses: false }).decision).toBe("promote");
  });

  it("no faithfulness interval blocks: nothing shows the candidate is not worse", () => {
    const e = { ...atBoundary(), faithfulness_diff_lower: null };
    expect(condition(e, "faithfulness")).toMatchObject({ passed: false, value: null });
  });
});

describe("a tenant's own rule", () => {
  it("moves the thresholds, and pairwise can be waived", () => {
    const rule = promotionRuleSchema.parse({ min_scored: 10, max_schema_validity_drop: 0, min_faithfulness_lower_bound: 0, require_wins_at_least_losses: false });
    const e = { ...atBoundary(), scored: 10, schema_validity: { candidate: 0.96, incumbent: 0.96 }, faithfulness_diff_lower: 0, pairwise: { wins: 0, losses: 5, ties: 5 } };
    expect(decidePromotion(e, rule).decision).toBe("promote");
    expect(decidePromotion({ ...e, faithfulness_diff_lower: -0.001 }, rule).decision).toBe("keep");
  });

  it("refuses unknown fields and values out of range", () => {
    expect(promotionRuleSchema.safeParse({ min_scored: 0 }).success).toBe(false);
    expect(promotionRuleSchema.safeParse({ max_schema_validity_drop: 2 }).success).toBe(false);
    expect(promotionRuleSchema.safeParse({ auto: true }).success).toBe(false);
  });
});
