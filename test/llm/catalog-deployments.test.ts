import { describe, expect, it } from "vitest";
import { BUILTIN_CATALOG } from "../../src/llm/catalog";
import { deploymentProfileSchema, deploymentProfiles, findDeploymentProfile } from "../../src/llm/catalog-deployments";

describe("deployment profiles in the catalog", () => {
  it("are valid, name their source, and serve only bases the catalog fine-tunes on their provider", () => {
    expect(deploymentProfiles().length).toBeGreaterThan(0);
    for (const p of deploymentProfiles()) {
      expect(p.source).toMatch(/^https:\/\//);
      for (const base of p.base_models) expect(BUILTIN_CATALOG.fine_tuning[p.provider]?.base_models).toContain(base);
    }
    expect(new Set(deploymentProfiles().map((p) => p.id)).size).toBe(deploymentProfiles().length);
  });

  it("reject bounds that cannot hold", () => {
    const bad = { ...deploymentProfiles()[0]!, replicas: { min: 3, max: 2 } };
    expect(deploymentProfileSchema.safeParse(bad).success).toBe(false);
  });

  it("default to the provider's first profile for a base, and find none for a base they do not serve", () => {
    expect(findDeploymentProfile("together", "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference")?.id).toBe("together-1x-h100");
    expect(findDeploymentProfile("together", "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference", "together-1x-l40s")?.hourly_usd).toBe(2.1);
    expect(findDeploymentProfile("together", "gpt-4.1-mini-2025-04-14")).toBeUndefined();
    expect(findDeploymentProfile("together", "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference", "fireworks-1x-h100")).toBeUndefined();
  });
});
