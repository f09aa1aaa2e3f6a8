import { describe, expect, it } from "vitest";
import { openAIAutoEpochs, resolveEpochs, trainingContextOf } from "../../src/datasets/validate";
import { BUILTIN_CATALOG, parseCatalog, resolveModel } from "../../src/llm";

const catalog = parseCatalog(BUILTIN_CATALOG);

describe("epochs", () => {
  it("follows OpenAI's auto rule: 3, unless that is under 100 or over 25,000 example passes", () => {
    const cases: [number, number][] = [
      [1, 25], // ⌊100 / 1⌋ = 100, capped at 25
      [3, 25], // ⌊100 / 3⌋ = 33, capped
      [9, 11],
      [10, 10],
      [12, 8],
      [33, 3], // 99 passes: ⌊100 / 33⌋ = 3
      [34, 3], // 102 passes: the target
      [8_333, 3], // 24,999 passes
      [8_334, 2], // 25,002 passes: ⌊25,000 / 8,334⌋
      [12_500, 2],
      [30_000, 1], // ⌊25,000 / 30,000⌋ = 0, at least 1
    ];
    for (const [examples, epochs] of cases) expect([examples, openAIAutoEpochs(examples)]).toEqual([examples, epochs]);
  });

  it("uses a given number as is, and each provider's own default for auto", () => {
    expect(resolveEpochs("openai", 4, 12)).toBe(4);
    expect(resolveEpochs("openai", "auto", 12)).toBe(8);
    expect(resolveEpochs("openai", undefined, 12)).toBe(8);
    expect(resolveEpochs("together", "auto", 12)).toBe(1);
    expect(resolveEpochs("fireworks", undefined, 12)).toBe(1);
    const spec = { hyperparameters: { n_epochs: { min: 1, max: 20, default: 2 } } };
    expect(resolveEpochs("together", "auto", 12, spec)).toBe(2);
    expect(resolveEpochs("fireworks", "auto", 12, { hyperparameters: { epochs: { min: 1, max: 10, default: 4 } } })).toBe(4);
  });
});

describe("training context", () => {
  it("is 65,536 per example for OpenAI bases and their fine-tunes, the catalog's training_context where set, the window otherwise", () => {
    for (const id of ["gpt-4.1-2025-04-14", "gpt-4o-mini-2024-07-18", "ft:gpt-4.1-mini-2025-04-14:acme:s:1"]) {
      expect(trainingContextOf(resolveModel(catalog, id))).toBe(65_536);
    }
    expect(trainingContextOf(resolveModel(catalog, "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference"))).toBe(131_072);
    const fw = resolveModel(catalog, "accounts/fireworks/models/llama-v3p1-8b-instruct");
    expect(trainingContextOf(fw)).toBe(fw.context_window);
    expect(trainingContextOf({ provider: "openai", context_window: 16_385 })).toBe(16_385);
    expect(trainingContextOf({ provider: "together", context_window: 8_192, training_context: 4_096 })).toBe(4_096);
  });
});
