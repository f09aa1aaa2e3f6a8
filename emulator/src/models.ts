/** The emulator's model catalogue: what each model can do, as OpenAI/Together/Fireworks would answer. */

export type Encoding = "o200k_base" | "cl100k_base";

export interface ModelSpec {
  id: string;
  kind: "chat" | "embedding";
  owned_by: string;
  /** Unix seconds, as in OpenAI's model object. */
  created: number;
  tools: boolean;
  response_format: boolean;
  context_window: number;
  max_output_tokens: number;
  encoding: Encoding;
  /** Native vector size of an embedding model. */
  embedding_dimensions?: number;
  /** Whether `dimensions` may shorten the vectors (text-embedding-3 only). */
  variable_dimensions?: boolean;
  /** Whether OpenAI accepts it as a fine-tuning base. */
  fine_tunable: boolean;
}

const gpt = (id: string, created: number, context: number, output: number): ModelSpec => ({
  id,
  kind: "chat",
  owned_by: "system",
  created,
  tools: true,
  response_format: true,
  context_window: context,
  max_output_tokens: output,
  encoding: "o200k_base",
  fine_tunable: true,
});

export const MODELS: readonly ModelSpec[] = [
  // OpenAI's current flagship for the teacher and judge roles: not fine-tunable.
  { ...gpt("gpt-6.1-sol", 1790640000, 1_050_000, 128_000), fine_tunable: false },
  gpt("gpt-4.1-2025-04-14", 1744316542, 1_047_576, 32_768),
  gpt("gpt-4.1-mini-2025-04-14", 1744317547, 1_047_576, 32_768),
  gpt("gpt-4.1-nano-2025-04-14", 1744321025, 1_047_576, 32_768),
  gpt("gpt-4o-mini-2024-07-18", 1721172717, 128_000, 16_384),
  gpt("gpt-4o-2024-08-06", 1722814719, 128_000, 16_384),
  {
    id: "text-embedding-3-small",
    kind: "embedding",
    owned_by: "system",
    created: 1705948997,
    tools: false,
    response_format: false,
    context_window: 8191,
    max_output_tokens: 0,
    encoding: "cl100k_base",
    embedding_dimensions: 1536,
    variable_dimensions: true,
    fine_tunable: false,
  },
  {
    id: "text-embedding-3-large",
    kind: "embedding",
    owned_by: "system",
    created: 1705953180,
    tools: false,
    response_format: false,
    context_window: 8191,
    max_output_tokens: 0,
    encoding: "cl100k_base",
    embedding_dimensions: 3072,
    variable_dimensions: true,
    fine_tunable: false,
  },
  // Open-weights models as Together/Fireworks name them. The 3B one has neither tools nor
  // response_format, so callers must fall back to JSON-in-the-prompt (text mode).
  {
    id: "meta-llama/Llama-3.2-3B-Instruct",
    kind: "chat",
    owned_by: "meta-llama",
    created: 1727222400,
    tools: false,
    response_format: false,
    context_window: 131_072,
    max_output_tokens: 8192,
    encoding: "cl100k_base",
    fine_tunable: false,
  },
  {
    id: "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference",
    kind: "chat",
    owned_by: "meta-llama",
    created: 1721692800,
    tools: true,
    response_format: true,
    context_window: 131_072,
    max_output_tokens: 8192,
    encoding: "cl100k_base",
    fine_tunable: false,
  },
  {
    id: "accounts/fireworks/models/llama-v3p1-8b-instruct",
    kind: "chat",
    owned_by: "fireworks",
    created: 1721692800,
    tools: true,
    response_format: true,
    context_window: 131_072,
    max_output_tokens: 8192,
    encoding: "cl100k_base",
    fine_tunable: false,
  },
];

const BY_ID = new Map(MODELS.map((m) => [m.id, m]));

/** A catalogue model by exact id. */
export function catalogModel(id: string): ModelSpec | undefined {
  return BY_ID.get(id);
}

/** The org segment of emulated fine-tuned model names. */
export const EMULATOR_ORG = "distillery-emulator";
export const ORGANIZATION_ID = "org-distilleryemulator";

/** Parses `ft:<base>:<org>:<suffix>:<id>[:ckpt-step-N]`; null when it is not such a name. */
export function parseFineTunedName(name: string): { base: string; org: string; suffix: string; id: string; checkpointStep?: number } | null {
  const match = /^ft:([^:]+):([^:]*):([^:]*):([^:]+)(?::ckpt-step-(\d+))?$/.exec(name);
  if (!match) return null;
  const [, base = "", org = "", suffix = "", id = "", step] = match;
  return { base, org, suffix, id, ...(step ? { checkpointStep: Number(step) } : {}) };
}

/** The spec a fine-tuned model inherits from its base (id and ownership replaced). */
export function fineTunedSpec(name: string, base: ModelSpec, created: number): ModelSpec {
  return { ...base, id: name, owned_by: ORGANIZATION_ID, created, fine_tunable: true };
}

/** OpenAI's model object. */
export function modelObject(spec: ModelSpec): { id: string; object: "model"; created: number; owned_by: string } {
  return { id: spec.id, object: "model", created: spec.created, owned_by: spec.owned_by };
}
