import { describe, expect, it } from "vitest";
import { settle, shareOf } from "../../src/durable/base-deployment/cost";

const HOUR = 3_600_000;
const A100 = 2_900_000; // $2.90 an hour, in micro-dollars

describe("a shared base deployment's cost, split equally per addon-hour", () => {
  it("charges a lone adapter the whole hourly price, and two adapters half each", () => {
    const one = settle([{ deployment_id: "a", accrued_micros: 0 }], A100, 0, HOUR);
    expect(one.get("a")).toBe(A100);
    const two = settle([{ deployment_id: "a", accrued_micros: one.get("a")! }, { deployment_id: "b", accrued_micros: 0 }], A100, HOUR, 3 * HOUR);
    expect(two.get("a")).toBe(A100 * 2);
    expect(two.get("b")).toBe(A100);
  });

  it("splits among three without losing a micro-dollar to rounding over many short segments", () => {
    let holders = ["a", "b", "c"].map((id) => ({ deployment_id: id, accrued_micros: 0 }));
    for (let t = 0; t < HOUR; t += 7_000) {
      const next = settle(holders, A100, t, Math.min(HOUR, t + 7_000));
      holders = holders.map((h) => ({ ...h, accrued_micros: next.get(h.deployment_id)! }));
    }
    const total = holders.reduce((s, h) => s + h.accrued_micros, 0);
    expect(Math.round(total)).toBe(A100);
    expect(shareOf({ ...holders[0]!, holding: true }, 3, A100, null, HOUR)).toEqual({
      rule: "split_equally_per_addon_hour",
      base_hourly_usd: 2.9,
      holders: 3,
      hourly_usd: 0.966667,
      accrued_usd: 0.966667,
    });
  });

  it("counts the time since the last settlement in what it shows, and nothing once the adapter stopped", () => {
    const holding = shareOf({ deployment_id: "a", accrued_micros: 1_000_000, holding: true }, 2, A100, 0, HOUR);
    expect(holding.accrued_usd).toBe(2.45);
    const stopped = shareOf({ deployment_id: "a", accrued_micros: 1_000_000, holding: false }, 1, A100, 0, HOUR);
    expect(stopped).toMatchObject({ hourly_usd: 0, accrued_usd: 1 });
  });
});
