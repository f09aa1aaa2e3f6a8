import { createRoute, z } from "@hono/zod-openapi";
import { tenantHandle } from "../auth/middleware";
import { createRouter } from "../openapi/router";
import { errorResponses, jsonContent, TENANT_SECURITY } from "../openapi/schemas";
import { promotionRuleSchema, type PromotionRule } from "../promotion/rule";

const ruleSchema = z
  .object({
    object: z.literal("promotion_rule"),
    auto_promote: z.boolean().openapi({ description: "Switch to a candidate the rule promotes (default off: the decision is recorded, a person switches)" }),
    min_scored: z.number().int().openapi({ description: "Questions scored for both models, at least (default 30)" }),
    max_schema_validity_drop: z.number().openapi({ description: "How far the candidate's schema validity may fall below the incumbent's (default 0.01)" }),
    min_faithfulness_lower_bound: z.number().openapi({ description: "Lowest acceptable lower bound of the faithfulness paired difference (default −0.05)" }),
    require_wins_at_least_losses: z.boolean().openapi({ description: "Pairwise wins at least losses (default on)" }),
  })
  .openapi("PromotionRule");

// The request is the rule itself: omitted fields take their defaults (PUT replaces the whole rule).
const putSchema = z.object(promotionRuleSchema.shape).strict().openapi("PromotionRuleInput");

const view = (rule: PromotionRule) => ({ object: "promotion_rule" as const, ...rule });

/** The tenant's promotion rule: when an eval's candidate replaces the active model. */
export const promotionSettingsRoutes = createRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["settings"],
      summary: "The tenant's promotion rule (the defaults until it sets one)",
      security: TENANT_SECURITY,
      responses: { 200: jsonContent(ruleSchema, "The rule"), ...errorResponses(401) },
    }),
    async (c) => c.json(view(await tenantHandle(c).activeModel.promotionRule()), 200),
  )
  .openapi(
    createRoute({
      method: "put",
      path: "/",
      tags: ["settings"],
      summary: "Set the tenant's promotion rule (omitted fields take their defaults)",
      description:
        "An eval's candidate is promoted when it was scored on at least `min_scored` questions, its schema validity is " +
        "not below the incumbent's by more than `max_schema_validity_drop`, the lower bound of the faithfulness paired " +
        "difference is at least `min_faithfulness_lower_bound`, and its pairwise wins are at least its losses. " +
        "The decision and each condition's value are stored with the eval; `auto_promote` decides whether the switch moves.",
      security: TENANT_SECURITY,
      request: { body: { required: true, content: { "application/json": { schema: putSchema } } } },
      responses: { 200: jsonContent(ruleSchema, "The rule now"), ...errorResponses(400, 401) },
    }),
    async (c) => c.json(view(await tenantHandle(c).activeModel.setPromotionRule(c.req.valid("json"))), 200),
  );
