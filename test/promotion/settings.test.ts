import { describe, expect, it } from "vitest";
import { api, createTenant } from "../helpers/api";

describe("PUT /api/settings/promotion", () => {
  it("answers the defaults until the tenant sets a rule", async () => {
    const t = await createTenant();
    const res = await api("/api/settings/promotion", { key: t.key });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      object: "promotion_rule",
      auto_promote: false,
      min_scored: 30,
      max_schema_validity_drop: 0.01,
      min_faithfulness_lower_bound: -0.05,
      require_wins_at_least_losses: true,
    });
  });

  it("replaces the rule, omitted fields taking their defaults", async () => {
    const t = await createTenant();
    const put = await api("/api/settings/promotion", { method: "PUT", key: t.key, json: { auto_promote: true, min_scored: 50 } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ auto_promote: true, min_scored: 50, max_schema_validity_drop: 0.01 });
    await api("/api/settings/promotion", { method: "PUT", key: t.key, json: { max_schema_validity_drop: 0 } });
    expect((await api("/api/settings/promotion", { key: t.key })).body).toMatchObject({ auto_promote: false, min_scored: 30, max_schema_validity_drop: 0 });
  });

  it("refuses values out of range and unknown fields with a 400, keeping the rule", async () => {
    const t = await createTenant();
    await api("/api/settings/promotion", { method: "PUT", key: t.key, json: { auto_promote: true } });
    for (const json of [{ min_scored: 0 }, { max_schema_validity_drop: -0.1 }, { min_faithfulness_lower_bound: 2 }, { auto: true }, { auto_promote: "yes" }]) {
      const res = await api("/api/settings/promotion", { method: "PUT", key: t.key, json });
      expect(res.status, JSON.stringify(json)).toBe(400);
      expect(res.body.error.code).toBe("validation_failed");
    }
    expect((await api("/api/settings/promotion", { key: t.key })).body.auto_promote).toBe(true);
  });
});
