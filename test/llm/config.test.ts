import { beforeEach, describe, expect, it } from "vitest";
import { ApiError } from "../../src/errors";
import { loadCatalog, resolveModel } from "../../src/llm";
import { setClock } from "../../src/lib/clock";
import { testEnv } from "./helpers";

function loadError(changes: Parameters<typeof testEnv>[0]): ApiError {
  try {
    loadCatalog(testEnv(changes));
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    return err as ApiError;
  }
  throw new Error("expected loadCatalog to throw");
}

describe("loadCatalog", () => {
  // These configurations name gpt-4.1 models as defaults: read them while those still served.
  beforeEach(() => setClock("2026-06-01T00:00:00Z"));

  it("returns the built-in catalog when nothing is configured", () => {
    const catalog = loadCatalog(testEnv());
    expect(catalog.defaults.teacher).toBe("gpt-6.1-sol");
    expect(catalog.byId.has("accounts/fireworks/models/llama-v3p1-8b-instruct")).toBe(true);
  });

  it("caches per isolate by the raw variables", () => {
    const env = testEnv({ DEFAULT_JUDGE_MODEL: "gpt-4.1-mini-2025-04-14" });
    expect(loadCatalog(env)).toBe(loadCatalog({ ...env }));
    expect(loadCatalog(env)).not.toBe(loadCatalog(testEnv()));
  });

  it("merges MODEL_CATALOG: patches an existing model, adds a new one and a fine-tune of a base", () => {
    const catalog = loadCatalog(
      testEnv({
        MODEL_CATALOG: JSON.stringify({
          models: [
            { id: "gpt-4.1-2025-04-14", prices: { input: 1.5 } },
            {
              id: "qwen-local",
              provider: "openai-compatible",
              model: "Qwen/Qwen2.5-7B-Instruct",
              kind: "chat",
              supports_tools: true,
              supports_response_format: "json_object",
              context_window: 32768,
              max_output_tokens: 4096,
              encoding: "estimate",
              prices: { input: 0, output: 0 },
            },
            { id: "acme/llama-distilled", base_model: "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference" },
          ],
          fine_tuning: { together: { hyperparameters: { n_epochs: { min: 1, max: 5 } } } },
          defaults: { teacher: "gpt-4.1-mini-2025-04-14" },
        }),
      }),
    );
    const teacher = resolveModel(catalog, "gpt-4.1-2025-04-14");
    expect(teacher.prices).toMatchObject({ input: 1.5, output: 8.0 });
    expect(resolveModel(catalog, "qwen-local")).toMatchObject({ provider: "openai-compatible", model: "Qwen/Qwen2.5-7B-Instruct" });
    expect(resolveModel(catalog, "acme/llama-distilled")).toMatchObject({
      provider: "together",
      base_model: "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference",
      model: "acme/llama-distilled",
      encoding: "estimate",
    });
    expect(catalog.fine_tuning.together?.hyperparameters.n_epochs).toEqual({ min: 1, max: 5 });
    expect(catalog.fine_tuning.together?.hyperparameters.learning_rate).toBeDefined();
    expect(catalog.defaults.teacher).toBe("gpt-4.1-mini-2025-04-14");
  });

  it("lets DEFAULT_*_MODEL variables win over the catalog's defaults", () => {
    const catalog = loadCatalog(
      testEnv({
        MODEL_CATALOG: JSON.stringify({ defaults: { teacher: "gpt-4o-2024-08-06" } }),
        DEFAULT_TEACHER_MODEL: "gpt-4.1-nano-2025-04-14",
        DEFAULT_JUDGE_MODEL: "ft:gpt-4.1-mini-2025-04-14:acme:judge:j1",
        DEFAULT_EMBEDDING_MODEL: "text-embedding-3-large",
      }),
    );
    expect(catalog.defaults).toEqual({
      teacher: "gpt-4.1-nano-2025-04-14",
      judge: "ft:gpt-4.1-mini-2025-04-14:acme:judge:j1",
      embedding: "text-embedding-3-large",
    });
  });

  it("names MODEL_CATALOG when it is not JSON, without quoting its contents", () => {
    const err = loadError({ MODEL_CATALOG: '{"models": [sk-secret-ish' });
    expect(err.code).toBe("internal");
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/^MODEL_CATALOG is not valid JSON/);
    expect(err.message).not.toContain("sk-secret-ish");
  });

  it("names MODEL_CATALOG and the path when the JSON has the wrong shape", () => {
    const err = loadError({ MODEL_CATALOG: JSON.stringify({ models: [{ id: "x", context_window: "big" }] }) });
    expect(err.message).toContain("MODEL_CATALOG is invalid");
    expect(err.message).toContain("models.0.context_window");
  });

  it("names MODEL_CATALOG when a new model is incomplete", () => {
    const err = loadError({ MODEL_CATALOG: JSON.stringify({ models: [{ id: "half", provider: "openai" }] }) });
    expect(err.message).toContain("MODEL_CATALOG (merged over the built-in catalog) is invalid");
    expect(err.message).toContain("models[11].kind");
  });

  it("names the DEFAULT_*_MODEL variable that points at an unknown or wrong-kind model", () => {
    expect(loadError({ DEFAULT_TEACHER_MODEL: "gpt-9" }).message).toContain('DEFAULT_TEACHER_MODEL: unknown model "gpt-9"');
    expect(loadError({ DEFAULT_EMBEDDING_MODEL: "gpt-4.1-2025-04-14" }).message).toContain(
      'DEFAULT_EMBEDDING_MODEL: "gpt-4.1-2025-04-14" is a chat model, not embedding',
    );
  });
});
