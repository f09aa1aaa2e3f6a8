import { roundUsd } from "../../lib/money";
import { ApiError } from "../../errors";
import { countChatTokens, type FineTuneProvider, type FineTuneSpec, type ModelEntry, type TokenEncoding, trainingCostUsd } from "../../llm";
import type { FineTuningExample } from "../../programs/run";
import { checkExample } from "./check-example";
import type { ReportErrorKind } from "./kinds";
import { MIN_EXAMPLES, RECOMMENDED_EXAMPLES, resolveEpochs, trainingContextOf } from "./limits";
import { TokenStats, type TokenSummary } from "./stats";

/** One example to validate: its line (1-based, in the file or the dataset's order), the parsed example, its stored count. */
export interface DatasetRow {
  line: number;
  example: unknown;
  /** Tokens counted when the row was captured; counted now when absent. */
  tokens?: number | null;
}

/** Counts a well-formed example's tokens (may load an encoding, hence async). */
export type ExampleCounter = (example: FineTuningExample) => number | Promise<number>;

export interface ValidateOptions {
  /** Catalog entry of the chosen base model (its encoding, training price, context window). */
  baseModel: ModelEntry;
  provider: FineTuneProvider;
  /** A number, or "auto" (the default) for the provider's own rule. */
  epochs?: number | "auto";
  /** Tokens one example may hold; defaults to the base model's training context (limits.ts). */
  trainingContext?: number;
  /** Defaults to `countChatTokens` (messages + tools) under the base model's encoding. */
  count?: ExampleCounter;
  /** The provider's catalog spec: its default epochs and the bases it trains. */
  spec?: FineTuneSpec;
  /** How many errors and lines the report lists (default 50); counts are always complete. */
  maxListed?: number;
}

export interface ReportError {
  /** null for problems of the whole dataset. */
  line: number | null;
  kind: ReportErrorKind;
  message: string;
  path?: string;
}

export type WarningKind =
  | "few_examples"
  | "estimated_tokens"
  | "truncated_examples"
  | "missing_system_message"
  | "missing_user_message"
  | "no_training_price"
  | "base_not_trainable";

export interface ReportWarning {
  kind: WarningKind;
  message: string;
  count?: number;
}

export interface ValidationReport {
  provider: FineTuneProvider;
  base_model: string;
  encoding: TokenEncoding;
  /** Rows read. */
  examples: number;
  /** Rows with no error: the examples a job would train on. */
  valid: number;
  errors: { total: number; by_kind: Partial<Record<ReportErrorKind, number>>; first: ReportError[] };
  warnings: ReportWarning[];
  /** Over every well-formed example (over-limit ones included). */
  tokens: TokenSummary & {
    /** True when the base's tokenizer is not shipped and chars / 4 stood in. */
    estimated: boolean;
    training_context: number;
    over_limit: { count: number; lines: number[] };
  };
  epochs: number;
  /** epochs × Σ min(tokens, training context) over valid examples: the cookbook's estimate. */
  billed_tokens_estimate: number;
  /** null when the catalog has no training price for the base. */
  cost_usd_estimate: number | null;
  min_examples: number;
  /** No errors (which includes having at least `min_examples` valid examples). */
  ok: boolean;
}

const DEFAULT_LISTED = 50;

/**
 * Validates a dataset as a fine-tuning file for `provider` and `baseModel`, streaming: format
 * errors per example, token counts (stored ones when present), examples over the training
 * context, the 10-example minimum, epochs and the billed-token and cost estimates.
 */
export async function validateDataset(
  rows: AsyncIterable<DatasetRow> | Iterable<DatasetRow>,
  opts: ValidateOptions,
): Promise<ValidationReport> {
  const { baseModel: base, provider } = opts;
  if (opts.epochs !== undefined && opts.epochs !== "auto" && !(Number.isInteger(opts.epochs) && opts.epochs >= 1)) {
    throw new ApiError("bad_request", `epochs must be a positive integer or "auto", not ${JSON.stringify(opts.epochs)}.`);
  }
  const maxListed = opts.maxListed ?? DEFAULT_LISTED;
  const limit = opts.trainingContext ?? trainingContextOf(base);
  const count: ExampleCounter = opts.count ?? (async (ex) => (await countChatTokens(ex.messages, ex.tools, base.encoding)).tokens);
  // OpenAI's validator refuses a file with an over-long example (as the emulator does); Together
  // and Fireworks truncate it, which cuts off the end, the answer being taught: a warning there.
  const overLimitIsError = provider === "openai";

  const errors: ReportError[] = [];
  const byKind: Partial<Record<ReportErrorKind, number>> = {};
  let errorTotal = 0;
  const addError = (e: ReportError) => {
    errorTotal++;
    byKind[e.kind] = (byKind[e.kind] ?? 0) + 1;
    if (errors.length < maxListed) errors.push(e);
  };

  const stats = new TokenStats();
  const overLimit: number[] = [];
  let overLimitCount = 0;
  let examples = 0;
  let valid = 0;
  let billedPerEpoch = 0;
  let missingSystem = 0;
  let missingUser = 0;

  for await (const row of rows) {
    examples++;
    const problems = checkExample(row.example);
    for (const p of problems) addError({ line: row.line, kind: p.kind, message: p.message, path: p.path });
    if (problems.length > 0) continue;

    const example = row.example as FineTuningExample;
    const tokens = typeof row.tokens === "number" && Number.isFinite(row.tokens) ? row.tokens : await count(example);
    stats.add(tokens);
    const roles = new Set(example.messages.map((m) => m.role));
    if (!roles.has("system") && !roles.has("developer")) missingSystem++;
    if (!roles.has("user")) missingUser++;

    if (tokens > limit) {
      overLimitCount++;
      if (overLimit.length < maxListed) overLimit.push(row.line);
      if (overLimitIsError) {
        addError({
          line: row.line,
          kind: "too_many_tokens",
          message: `the example has ${tokens} tokens, over ${base.id}'s training context of ${limit}`,
        });
        continue;
      }
    }
    valid++;
    billedPerEpoch += Math.min(tokens, limit);
  }

  if (valid < MIN_EXAMPLES) {
    addError({
      line: null,
      kind: "too_few_examples",
      message: `${valid} valid example${valid === 1 ? "" : "s"}; fine-tuning needs at least ${MIN_EXAMPLES}`,
    });
  }

  const epochs = resolveEpochs(provider, opts.epochs, valid, opts.spec);
  const billed = billedPerEpoch * epochs;
  const cost = trainingCostUsd(base, billedPerEpoch, epochs) ?? null;
  const warnings = collectWarnings({ opts, valid, limit, overLimitCount, overLimitIsError, missingSystem, missingUser, cost });

  return {
    provider,
    base_model: base.id,
    encoding: base.encoding,
    examples,
    valid,
    errors: { total: errorTotal, by_kind: byKind, first: errors },
    warnings,
    tokens: {
      ...stats.summary(),
      estimated: base.encoding === "estimate",
      training_context: limit,
      over_limit: { count: overLimitCount, lines: overLimit },
    },
    epochs,
    billed_tokens_estimate: billed,
    cost_usd_estimate: cost === null ? null : roundUsd(cost),
    min_examples: MIN_EXAMPLES,
    ok: errorTotal === 0,
  };
}

function collectWarnings(s: {
  opts: ValidateOptions;
  valid: number;
  limit: number;
  overLimitCount: number;
  overLimitIsError: boolean;
  missingSystem: number;
  missingUser: number;
  cost: number | null;
}): ReportWarning[] {
  const { baseModel: base, provider, spec } = s.opts;
  const warnings: ReportWarning[] = [];
  if (s.valid >= MIN_EXAMPLES && s.valid < RECOMMENDED_EXAMPLES) {
    warnings.push({
      kind: "few_examples",
      count: s.valid,
      message: `${s.valid} examples: enough to start a job, but sets under ~${RECOMMENDED_EXAMPLES} tend to degrade the student's quality`,
    });
  }
  if (base.encoding === "estimate") {
    warnings.push({
      kind: "estimated_tokens",
      message: `${base.id}'s tokenizer is not shipped: token counts, billed tokens and cost are estimates (characters / 4)`,
    });
  }
  if (s.overLimitCount > 0 && !s.overLimitIsError) {
    warnings.push({
      kind: "truncated_examples",
      count: s.overLimitCount,
      message: `${s.overLimitCount} example(s) exceed the training context of ${s.limit} tokens; ${provider} truncates them, cutting off their end`,
    });
  }
  if (s.missingSystem > 0) {
    warnings.push({ kind: "missing_system_message", count: s.missingSystem, message: `${s.missingSystem} example(s) have no system message` });
  }
  if (s.missingUser > 0) {
    warnings.push({ kind: "missing_user_message", count: s.missingUser, message: `${s.missingUser} example(s) have no user message` });
  }
  if (s.cost === null) {
    warnings.push({ kind: "no_training_price", message: `the catalog has no training price for ${base.id}: no cost estimate` });
  }
  const trainable = base.provider === provider && (!spec || spec.base_models.includes(base.base_model ?? base.id));
  if (!trainable) {
    warnings.push({ kind: "base_not_trainable", message: `${base.id} is not among ${provider}'s fine-tunable base models` });
  }
  return warnings;
}
