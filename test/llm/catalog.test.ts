import { describe, expect, it } from "vitest";
import { ApiError } from "../../src/errors";
import { BUILTIN_CATALOG, parseCatalog, resolveModel } from "../../src/llm";

const catalog = parseCatalog(BUILTIN_CATALOG);

function thrown(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    return err as ApiError;
  }
  throw new Error("expected an ApiError");
}

describe("built-in catalog", () => {
  it("validates, and every entry carries its upstream model name", () => {
    expect(catalog.models.length).toBeGreaterThanOrEqual(10);
    for (const m of catalog.models) expect(m.model).toBeTruthy();
  });

  it("defaults to gpt-6.1-sol as teacher and judge and text-embedding-3-small for embeddings", () => {
    expect(catalog.defaults).toEqual({
      teacher: "gpt-6.1-sol",
      judge: "gpt-6.1-sol",
      embedding: "text-embedding-3-small",
    });
    expect(resolveModel(catalog, "text-embedding-3-small").embedding_dimensions).toBe(1536);
  });

  it("describes the tool-less open model as counted by estimate", () => {
    const m = resolveModel(catalog, "meta-llama/Llama-3.2-3B-Instruct");
    expect(m).toMatchObject({ provider: "together", supports_tools: false, supports_response_format: "none", encoding: "estimate" });
  });

  it("lists fine-tunable bases and hyperparameter ranges per fine-tune provider", () => {
    expect(catalog.fine_tuning.openai?.new_jobs_cutoff).toBe("2027-01-06");
    expect(catalog.fine_tuning.openai?.hyperparameters.n_epochs).toMatchObject({ min: 1, max: 50 });
    expect(catalog.fine_tuning.openai?.hyperparameters.batch_size).toMatchObject({ min: 1, max: 256 });
    expect(catalog.fine_tuning.openai?.hyperparameters.learning_rate_multiplier).toMatchObject({ min: 0.01, max: 10 });
    expect(catalog.fine_tuning.together?.hyperparameters.n_epochs).toMatchObject({ min: 1, max: 20 });
    expect(catalog.fine_tuning.together?.hyperparameters.learning_rate).toMatchObject({ min: 1e-6, max: 1e-2 });
    expect(catalog.fine_tuning.together?.lora_default).toBe(true);
    expect(catalog.fine_tuning.together?.base_models).toContain("meta-llama/Meta-Llama-3.1-8B-Instruct-Reference");
    expect(Object.keys(catalog.fine_tuning.fireworks?.hyperparameters ?? {})).toEqual(["epochs", "learning_rate", "lora_rank"]);
  });
});

describe("resolveModel", () => {
  it("resolves an OpenAI ft: id by inheriting its base, at fine-tuned serving prices", () => {
    const id = "ft:gpt-4o-mini-2024-07-18:acme::abc123";
    const m = resolveModel(catalog, id);
    const base = resolveModel(catalog, "gpt-4o-mini-2024-07-18");
    expect(m).toMatchObject({
      id,
      model: id,
      base_model: "gpt-4o-mini-2024-07-18",
      provider: "openai",
      context_window: base.context_window,
      encoding: "o200k_base",
      supports_tools: true,
    });
    expect(m.prices).toEqual({ input: 0.3, output: 1.2, training: 3.0 });
  });

  it("resolves a registered fine-tune (Together, Fireworks) through its base", () => {
    const id = "acme/Meta-Llama-3.1-8B-Instruct-Reference-distilled-1a2b";
    const m = resolveModel(catalog, id, [{ id, base_model: "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference" }]);
    expect(m).toMatchObject({ id, model: id, provider: "together", base_model: "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference" });
  });

  it("answers bad_request listing the known ids for an unknown model", () => {
    const err = thrown(() => resolveModel(catalog, "gpt-9"));
    expect(err.code).toBe("bad_request");
    expect(err.status).toBe(400);
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('Unknown model "gpt-9"');
    expect(err.message).toContain("gpt-4.1-2025-04-14");
    expect((err.details as { known_models: string[] }).known_models).toContain("text-embedding-3-small");
  });

  it("answers bad_request for an ft: id whose base is not in the catalog", () => {
    const err = thrown(() => resolveModel(catalog, "ft:davinci-002:acme::x"));
    expect(err.code).toBe("bad_request");
    expect(err.message).toContain('"davinci-002"');
  });
});

describe("parseCatalog", () => {
  it("reports every problem, with its path, as a non-retryable error", () => {
    const bad = structuredClone(BUILTIN_CATALOG);
    bad.models.push({ ...bad.models.find((m) => m.id === "text-embedding-3-small")!, id: "emb-without-dims", embedding_dimensions: undefined });
    bad.fine_tuning.together!.base_models.push("gpt-4.1-2025-04-14");
    bad.defaults.embedding = "gpt-4.1-mini-2025-04-14";
    const err = thrown(() => parseCatalog(bad));
    expect(err.retryable).toBe(false);
    expect(err.details).toEqual(
      expect.arrayContaining([
        expect.stringContaining("models[11].embedding_dimensions"),
        expect.stringContaining('fine_tuning.together.base_models[1]: "gpt-4.1-2025-04-14" is served by openai'),
        expect.stringContaining("defaults.embedding"),
      ]),
    );
  });

  it("rejects duplicate ids", () => {
    const bad = structuredClone(BUILTIN_CATALOG);
    bad.models.push({ ...bad.models.find((m) => m.id === "gpt-4.1-2025-04-14")! });
    expect(thrown(() => parseCatalog(bad)).message).toContain('duplicate id "gpt-4.1-2025-04-14"');
  });

  it("rejects unknown fields, so a misspelt key is not silently ignored", () => {
    const bad = structuredClone(BUILTIN_CATALOG) as { models: Record<string, unknown>[] };
    bad.models.push({ ...bad.models[1], id: "typo", context_windw: 5 });
    expect(thrown(() => parseCatalog(bad)).message).toContain('models[11]: Unrecognized key: "context_windw"');
  });
});
