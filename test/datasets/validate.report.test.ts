import gpt4o from "gpt-tokenizer/model/gpt-4o";
import { describe, expect, it } from "vitest";
import { validateDataset } from "../../src/datasets/validate";
import { ApiError } from "../../src/errors";
import { BUILTIN_CATALOG, countChatTokens, parseCatalog, resolveModel } from "../../src/llm";
import { fixtureRows, jsonExample, OVER_LIMIT_TOKENS, toolsExample } from "./validate.fixture";

const catalog = parseCatalog(BUILTIN_CATALOG);
const MINI = resolveModel(catalog, "gpt-4o-mini-2024-07-18");
const LLAMA = resolveModel(catalog, "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference");
const openai = { baseModel: MINI, provider: "openai" as const, spec: catalog.fine_tuning.openai };
const together = { baseModel: LLAMA, provider: "together" as const, spec: catalog.fine_tuning.together };

async function* streamed<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

// Hand-computed from the fixture: lines 1–12 store 100, 110, …, 210 (sum 1,860); line 13 stores
// 140,000. The 13 well-formed counts sorted: 100 … 210, 140000. p50 is the 7th (index 6) = 160;
// p90 sits at index 0.9 × 12 = 10.8, between 200 and 210: 200 + 0.8 × 10 = 208. Mean 141,860 / 13
// = 10,912.307…, reported to two decimals.
const VALID_SUM = 1_860;
const TOKENS = { total: VALID_SUM + OVER_LIMIT_TOKENS, min: 100, max: OVER_LIMIT_TOKENS, mean: 10_912.31, p50: 160, p90: 208 };

/** Dollars as the API shows them: rounded to the micro-dollar. */
const micro = (usd: number) => Math.round(usd * 1e6) / 1e6;

describe("validateDataset on the fixture", () => {
  it("reports an OpenAI base: errors by kind and line, exact token figures, the over-limit line, auto epochs, billed tokens and cost", async () => {
    const report = await validateDataset(streamed(fixtureRows()), openai);
    expect(report).toMatchObject({ provider: "openai", base_model: MINI.id, encoding: "o200k_base", examples: 16, valid: 12 });
    expect(report.errors.total).toBe(5);
    expect(report.errors.by_kind).toEqual({ too_many_tokens: 1, invalid_arguments: 1, legacy_functions: 2, missing_content: 1 });
    expect(report.errors.first.map((e) => [e.line, e.kind])).toEqual([
      [13, "too_many_tokens"],
      [14, "invalid_arguments"],
      [15, "legacy_functions"],
      [15, "legacy_functions"],
      [16, "missing_content"],
    ]);
    expect(report.errors.first[0]!.message).toBe(`the example has 140000 tokens, over ${MINI.id}'s training context of 65536`);
    expect(report.tokens).toEqual({ ...TOKENS, estimated: false, training_context: 65_536, over_limit: { count: 1, lines: [13] } });
    // 12 valid examples × 3 epochs = 36 < 100 → min(25, ⌊100 / 12⌋) = 8 epochs.
    expect(report.epochs).toBe(8);
    expect(report.billed_tokens_estimate).toBe(VALID_SUM * 8);
    // $3.00 per 1M trained tokens for gpt-4o-mini.
    expect(report.cost_usd_estimate).toBe(micro((14_880 * 3) / 1e6)); // dollars to the micro-dollar
    expect(report.warnings.map((w) => w.kind)).toEqual(["few_examples"]);
    expect(report.min_examples).toBe(10);
    expect(report.ok).toBe(false);
  });

  it("reports a Together base: over-limit lines are truncated (a warning), counts are labelled estimates, epochs default to Together's", async () => {
    const report = await validateDataset(fixtureRows(), together);
    expect(report).toMatchObject({ examples: 16, valid: 13, encoding: "estimate" });
    expect(report.errors.by_kind).toEqual({ invalid_arguments: 1, legacy_functions: 2, missing_content: 1 });
    expect(report.tokens).toEqual({ ...TOKENS, estimated: true, training_context: 131_072, over_limit: { count: 1, lines: [13] } });
    expect(report.epochs).toBe(1);
    // Line 13 is billed truncated to the training context, as the cookbook counts it.
    expect(report.billed_tokens_estimate).toBe(VALID_SUM + 131_072);
    expect(report.cost_usd_estimate).toBe(micro((132_932 * 0.48) / 1e6)); // dollars to the micro-dollar
    expect(report.warnings.map((w) => [w.kind, w.count])).toEqual([
      ["few_examples", 13],
      ["estimated_tokens", undefined],
      ["truncated_examples", 1],
    ]);
    expect(report.ok).toBe(false);

    const three = await validateDataset(fixtureRows(), { ...together, epochs: 3 });
    expect(three.epochs).toBe(3);
    expect(three.billed_tokens_estimate).toBe(398_796);
    expect(three.cost_usd_estimate).toBe(micro(0.19142208)); // dollars to the micro-dollar
  });

  it("passes the 12 valid lines, with the warning that small sets degrade quality", async () => {
    const report = await validateDataset(fixtureRows().slice(0, 12), openai);
    expect(report.ok).toBe(true);
    expect(report.errors).toEqual({ total: 0, by_kind: {}, first: [] });
    expect(report.tokens).toMatchObject({ total: VALID_SUM, min: 100, max: 210, mean: 155, p50: 155, p90: 199, over_limit: { count: 0, lines: [] } });
    expect(report.warnings).toEqual([
      { kind: "few_examples", count: 12, message: expect.stringContaining("under ~100 tend to degrade") },
    ]);
  });

  it("is an error below 10 valid examples, and needs no warning at 100", async () => {
    const nine = await validateDataset(fixtureRows().slice(0, 9), openai);
    expect(nine.ok).toBe(false);
    expect(nine.errors.first).toEqual([
      { line: null, kind: "too_few_examples", message: "9 valid examples; fine-tuning needs at least 10" },
    ]);
    expect(nine.epochs).toBe(11);
    expect(nine.warnings).toEqual([]);

    const hundred = Array.from({ length: 100 }, (_, i) => ({ line: i + 1, example: jsonExample(`m${i}`), tokens: 10 }));
    const report = await validateDataset(hundred, openai);
    expect(report.ok).toBe(true);
    expect(report.warnings).toEqual([]);
    expect(report.epochs).toBe(3);
    expect(report.billed_tokens_estimate).toBe(3_000);
  });

  it("counts examples without a stored count under the base's encoding (countChatTokens: messages + tools)", async () => {
    const json = jsonExample("Heat");
    const tools = toolsExample("Heat");
    const rows = [
      { line: 1, example: json },
      { line: 2, example: tools, tokens: null },
      { line: 3, example: jsonExample("Alien"), tokens: 7 },
    ];
    const report = await validateDataset(rows, openai);
    // Plain messages: OpenAI's published accounting, computed independently by gpt-tokenizer.
    const jsonTokens = gpt4o.countChatCompletionTokens!({ messages: json.messages as never });
    const toolsTokens = (await countChatTokens(tools.messages as never, tools.tools as never, "o200k_base")).tokens;
    expect((await countChatTokens(json.messages as never, undefined, "o200k_base")).tokens).toBe(jsonTokens);
    expect(toolsTokens).toBeGreaterThan(jsonTokens);
    expect(report.tokens.total).toBe(jsonTokens + toolsTokens + 7);
    expect(report.tokens.min).toBe(7);
    expect(report.tokens.max).toBe(Math.max(jsonTokens, toolsTokens));

    const counted: number[] = [];
    const injected = await validateDataset(rows, {
      ...openai,
      count: (ex) => {
        counted.push(ex.messages.length);
        return 1_000;
      },
    });
    // Only the rows without a stored count are counted: stored counts are never re-tokenized.
    expect(counted).toEqual([3, 3]);
    expect(injected.tokens.total).toBe(2_007);
  });

  it("counts multi-turn tool exchanges (developer, tool results, content parts) without failing", async () => {
    const example = {
      messages: [
        { role: "developer", content: "Use the tools." },
        { role: "user", content: [{ type: "text", text: "Albums of Heat?" }] },
        { role: "assistant", tool_calls: [{ id: "a", type: "function", function: { name: "album", arguments: '{"movie":"Heat"}' } }] },
        { role: "tool", tool_call_id: "a", content: "Heat OST" },
        { role: "assistant", content: "Heat OST.", weight: 1 },
      ],
      tools: toolsExample("Heat").tools,
    };
    const report = await validateDataset([{ line: 1, example }], openai);
    expect(report.errors.by_kind).toEqual({ too_few_examples: 1 });
    expect(report.tokens.total).toBe((await countChatTokens(example.messages as never, example.tools as never, "o200k_base")).tokens);
    expect(report.tokens.total).toBeGreaterThan(40);
  });

  it("takes an explicit training context, and the model's window for bases outside the table", async () => {
    const rows = fixtureRows().slice(0, 12);
    const report = await validateDataset(rows, { ...openai, trainingContext: 150 });
    expect(report.tokens.over_limit).toEqual({ count: 6, lines: [7, 8, 9, 10, 11, 12] });
    expect(report.valid).toBe(6);
    expect(report.errors.by_kind).toEqual({ too_many_tokens: 6, too_few_examples: 1 });

    const fireworks = resolveModel(catalog, "accounts/fireworks/models/llama-v3p1-8b-instruct");
    const fw = await validateDataset(rows, { baseModel: fireworks, provider: "fireworks", spec: catalog.fine_tuning.fireworks });
    expect(fw.tokens.training_context).toBe(fireworks.context_window);
    expect(fw.epochs).toBe(1);
    expect(fw.cost_usd_estimate).toBe(micro((VALID_SUM * 0.5) / 1e6)); // dollars to the micro-dollar

    const student = resolveModel(catalog, "ft:gpt-4o-mini-2024-07-18:acme:s1:abc");
    expect((await validateDataset(rows, { ...openai, baseModel: student })).tokens.training_context).toBe(65_536);
  });

  it("has no cost without a training price, and says when the base is not one the provider trains", async () => {
    const small = resolveModel(catalog, "meta-llama/Llama-3.2-3B-Instruct");
    const report = await validateDataset(fixtureRows().slice(0, 12), { ...together, baseModel: small });
    expect(report.cost_usd_estimate).toBeNull();
    expect(report.warnings.map((w) => w.kind)).toEqual(["few_examples", "estimated_tokens", "no_training_price", "base_not_trainable"]);
    const mixed = await validateDataset(fixtureRows().slice(0, 12), { ...openai, baseModel: LLAMA });
    expect(mixed.warnings.map((w) => w.kind)).toContain("base_not_trainable");
  });

  it("lists at most maxListed errors and lines while counting them all", async () => {
    const bad = Array.from({ length: 30 }, (_, i) => ({ line: i + 1, example: { messages: [] } }));
    const report = await validateDataset(bad, { ...openai, maxListed: 5 });
    expect(report.errors.total).toBe(31);
    expect(report.errors.by_kind).toEqual({ missing_messages_list: 30, too_few_examples: 1 });
    expect(report.errors.first.map((e) => e.line)).toEqual([1, 2, 3, 4, 5]);
    expect(report.tokens).toMatchObject({ total: 0, min: 0, max: 0, mean: 0, p50: 0, p90: 0 });
  });

  it("refuses epochs that are not a positive integer", async () => {
    for (const epochs of [0, -1, 2.5]) {
      await expect(validateDataset([], { ...openai, epochs })).rejects.toSatisfy(
        (e) => e instanceof ApiError && e.code === "bad_request" && /positive integer/.test(e.message),
      );
    }
  });
});
