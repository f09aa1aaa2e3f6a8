import { usdOf } from "../../lib/money";

/**
 * Who pays for a shared base deployment. The rule (README "Fireworks deployments"): from the
 * moment the base deployment is asked for until it is asked to stop, its hourly price is split
 * equally among the adapters holding it at each moment: an adapter holds it from its deploy
 * request (waiting for the base included) until its stop request. So each adapter pays
 * `hourly ÷ n` for every hour during which n adapters held the base: "split equally per
 * addon-hour". Nobody pays for time with no holder (the base is asked to stop at once then).
 */
export const COST_RULE = "split_equally_per_addon_hour" as const;

export interface Holder {
  deployment_id: string;
  accrued_micros: number;
}

/**
 * The cost of [from, to) split among `holders`: each one's new accrued micro-dollars (fractional
 * inside; rounded only when shown, so a long-lived split loses nothing to per-step rounding).
 */
export function settle(holders: readonly Holder[], hourlyMicros: number, fromMs: number, toMs: number): Map<string, number> {
  const out = new Map<string, number>();
  if (holders.length === 0 || toMs <= fromMs) {
    for (const h of holders) out.set(h.deployment_id, h.accrued_micros);
    return out;
  }
  const each = (hourlyMicros * (toMs - fromMs)) / 3_600_000 / holders.length;
  for (const h of holders) out.set(h.deployment_id, h.accrued_micros + each);
  return out;
}

export interface CostShare {
  rule: typeof COST_RULE;
  /** The whole base deployment's hourly price while it is up. */
  base_hourly_usd: number;
  /** Adapters sharing it now. */
  holders: number;
  /** This adapter's part of the hourly price now (0 once it stopped). */
  hourly_usd: number;
  /** What this adapter has been attributed so far. */
  accrued_usd: number;
}

/** The share shown for one adapter at `nowMs`, counting the part not yet settled. */
export function shareOf(
  addon: Holder & { holding: boolean },
  holders: number,
  hourlyMicros: number,
  unsettledFromMs: number | null,
  nowMs: number,
): CostShare {
  const pending = addon.holding && unsettledFromMs !== null && holders > 0 ? (hourlyMicros * Math.max(0, nowMs - unsettledFromMs)) / 3_600_000 / holders : 0;
  return {
    rule: COST_RULE,
    base_hourly_usd: usdOf(hourlyMicros),
    holders,
    hourly_usd: addon.holding && holders > 0 ? usdOf(Math.round(hourlyMicros / holders)) : 0,
    accrued_usd: usdOf(Math.round(addon.accrued_micros + pending)),
  };
}
