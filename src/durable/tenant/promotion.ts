import { promotionRuleSchema, type PromotionDecision, type PromotionRule } from "../../promotion/rule";

/** The tenant's promotion rule and the decisions it made, one per eval (a repeat reads the first). */

export interface StoredDecision extends PromotionDecision {
  eval_id: string;
  /** Whether the switch moved because of it (auto_promote on, the candidate servable, the incumbent unchanged). */
  applied: boolean;
  /** Why it was not applied, when the rule said promote. */
  not_applied_reason: string | null;
  /** The switch's version it made, when applied. */
  version: number | null;
  at: string;
}

/** The tenant's rule; the defaults until it sets one (a stored rule is re-read through the schema's defaults). */
export function promotionRule(sql: SqlStorage): PromotionRule {
  const row = sql.exec<{ rule: string }>("SELECT rule FROM promotion_rule WHERE one = 1").toArray()[0];
  return promotionRuleSchema.parse(row ? JSON.parse(row.rule) : {});
}

export function setPromotionRule(sql: SqlStorage, rule: PromotionRule, at: string): PromotionRule {
  sql.exec(
    "INSERT INTO promotion_rule (one, rule, updated_at) VALUES (1, ?, ?) ON CONFLICT (one) DO UPDATE SET rule = excluded.rule, updated_at = excluded.updated_at",
    JSON.stringify(rule), at,
  );
  return promotionRule(sql);
}

export function storedDecision(sql: SqlStorage, evalId: string): StoredDecision | null {
  const row = sql.exec<{ body: string }>("SELECT body FROM promotion_decisions WHERE eval_id = ?", evalId).toArray()[0];
  return row ? (JSON.parse(row.body) as StoredDecision) : null;
}

export function storeDecision(sql: SqlStorage, decision: StoredDecision): void {
  sql.exec("INSERT OR IGNORE INTO promotion_decisions (eval_id, body, at) VALUES (?, ?, ?)", decision.eval_id, JSON.stringify(decision), decision.at);
}
