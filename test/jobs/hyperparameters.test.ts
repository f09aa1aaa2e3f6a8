import { describe, expect, it } from "vitest";
import { checkHyperparameters } from "../../src/jobs/hyperparameters";
import { BUILTIN_CATALOG } from "../../src/llm/catalog";
import type { FineTuneSpec } from "../../src/llm/catalog-schema";
import { inCommonNames } from "../../src/providers/hyperparameter-names";

const spec = (provider: "openai" | "together" | "fireworks") => BUILTIN_CATALOG.fine_tuning[provider] as FineTuneSpec;
const bad = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return (err as { code: string; message: string });
  }
  throw new Error("no error");
};

describe("one hyperparameter vocabulary across providers", () => {
  it("takes OpenAI's names for every provider, translated to the provider's own", () => {
    const common = { n_epochs: 3, batch_size: 16, learning_rate_multiplier: 2, lora_rank: 16 };
    expect(checkHyperparameters("together", spec("together"), common)).toEqual({ n_epochs: 3, batch_size: 16, learning_rate: 2e-5, lora_r: 16 });
    expect(checkHyperparameters("fireworks", spec("fireworks"), { n_epochs: 3, learning_rate_multiplier: 0.5, lora_rank: 16 })).toEqual({
      epochs: 3,
      learning_rate: 5e-5,
      lora_rank: 16,
    });
    expect(checkHyperparameters("openai", spec("openai"), { n_epochs: 3, learning_rate_multiplier: 2 })).toEqual({ n_epochs: 3, learning_rate_multiplier: 2 });
    expect(checkHyperparameters("together", spec("together"), { lora_alpha: 32 })).toMatchObject({ lora_alpha: 32 });
  });

  it("still takes each provider's own names", () => {
    expect(checkHyperparameters("fireworks", spec("fireworks"), { epochs: 2, learning_rate: 1e-4 })).toMatchObject({ epochs: 2, learning_rate: 1e-4 });
    expect(checkHyperparameters("together", spec("together"), { lora_r: 4 })).toMatchObject({ lora_r: 4 });
  });

  it("refuses one hyperparameter under two names, and checks a translated value against the provider's range", () => {
    expect(bad(() => checkHyperparameters("fireworks", spec("fireworks"), { n_epochs: 2, epochs: 3 })).message).toContain("n_epochs and epochs name the same");
    expect(bad(() => checkHyperparameters("together", spec("together"), { learning_rate_multiplier: 1, learning_rate: 1e-5 })).code).toBe("bad_request");
    expect(bad(() => checkHyperparameters("fireworks", spec("fireworks"), { n_epochs: 11 })).message).toContain("epochs must be between 1 and 10");
    expect(bad(() => checkHyperparameters("together", spec("together"), { learning_rate_multiplier: -1 })).message).toContain("positive");
  });

  it("shows a job's resolved hyperparameters in the common names", () => {
    const resolved = checkHyperparameters("fireworks", spec("fireworks"), { n_epochs: 3, lora_rank: 16 });
    expect(inCommonNames("fireworks", resolved)).toEqual({ n_epochs: 3, learning_rate: 1e-4, lora_rank: 16 });
    expect(inCommonNames("together", { n_epochs: 1, lora_r: 8, learning_rate: 1e-5, batch_size: 8 })).toEqual({ n_epochs: 1, lora_rank: 8, learning_rate: 1e-5, batch_size: 8 });
    expect(inCommonNames("openai", { n_epochs: 2 })).toEqual({ n_epochs: 2 });
  });
});
