import { describe, expect, it } from "vitest";
import { BUILTIN_CATALOG, costUsd, parseCatalog, resolveModel, trainingCostUsd } from "../../src/llm";

const catalog = parseCatalog(BUILTIN_CATALOG);

describe("costs", () => {
  it("prices a call per 1M input and output tokens", () => {
    const teacher = resolveModel(catalog, "gpt-4.1-2025-04-14");
    expect(costUsd(teacher, { input: 1_000_000, output: 1_000_000 })).toBeCloseTo(10, 10);
    expect(costUsd(teacher, { input: 1_500, output: 500 })).toBeCloseTo(0.007, 10);
    expect(costUsd(resolveModel(catalog, "text-embedding-3-small"), { input: 50_000, output: 0 })).toBeCloseTo(0.001, 10);
  });

  it("prices a fine-tune at its serving price, not its base's", () => {
    const student = resolveModel(catalog, "ft:gpt-4.1-mini-2025-04-14:acme:s1:abc");
    expect(costUsd(student, { input: 1_000_000, output: 1_000_000 })).toBeCloseTo(4.0, 10);
  });

  it("prices training per trained token (file tokens × epochs)", () => {
    expect(trainingCostUsd(resolveModel(catalog, "gpt-4o-mini-2024-07-18"), 2_000_000, 3)).toBeCloseTo(18, 10);
    expect(trainingCostUsd(resolveModel(catalog, "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference"), 1_000_000)).toBeCloseTo(0.48, 10);
  });

  it("says it does not know the training price of a model that is not fine-tunable", () => {
    expect(trainingCostUsd(resolveModel(catalog, "meta-llama/Llama-3.2-3B-Instruct"), 1_000)).toBeUndefined();
  });
});
