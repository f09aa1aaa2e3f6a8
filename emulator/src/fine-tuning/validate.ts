import { countPromptTokens, type CountableMessage, type Tokenizer } from "../tokens";

/** OpenAI's per-example limit for the gpt-4o / gpt-4.1 families' training context. */
export const EXAMPLE_TOKEN_LIMIT = 65_536;
export const MIN_EXAMPLES = 10;
const MAX_ERRORS = 20;
const ROLES = new Set(["system", "developer", "user", "assistant", "tool"]);

export interface ValidationError {
  /** 1-based line in the file; null for whole-file problems. */
  line: number | null;
  message: string;
}

export interface ValidationResult {
  valid: boolean;
  examples: number;
  errors: ValidationError[];
  /** Tokens of every valid example (training tokens per epoch). */
  tokens: number;
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

function contentText(content: unknown): string | null {
  if (typeof content === "string") return content;
  if (Array.isArray(content) && content.every((p) => isObj(p) && p.type === "text" && typeof p.text === "string")) {
    return content.map((p) => (p as { text: string }).text).join("\n");
  }
  return null;
}

/** Checks one example; returns the problem or the example's countable messages. */
function checkExample(value: unknown): { error: string } | { messages: CountableMessage[]; tools: unknown[] } {
  if (!isObj(value)) return { error: "each line must be a JSON object" };
  if (!Array.isArray(value.messages) || value.messages.length === 0) return { error: `key "messages" is missing or is not a non-empty array` };
  if (value.tools !== undefined) {
    if (!Array.isArray(value.tools)) return { error: `key "tools" must be an array` };
    for (const [i, tool] of value.tools.entries()) {
      if (!isObj(tool) || tool.type !== "function" || !isObj(tool.function) || typeof tool.function.name !== "string") {
        return { error: `tools[${i}] must be {"type": "function", "function": {"name", "parameters"?}}` };
      }
    }
  }
  const messages: CountableMessage[] = [];
  let assistant = false;
  for (const [i, m] of value.messages.entries()) {
    const where = `message ${i + 1}`;
    if (!isObj(m)) return { error: `${where} is not an object` };
    if (typeof m.role !== "string" || !ROLES.has(m.role)) return { error: `${where} has an unrecognized role ${JSON.stringify(m.role)}` };
    const text = contentText(m.content);
    const calls = m.tool_calls;
    if (calls !== undefined) {
      if (m.role !== "assistant") return { error: `${where}: only assistant messages may have "tool_calls"` };
      if (!Array.isArray(calls) || calls.length === 0) return { error: `${where}: "tool_calls" must be a non-empty array` };
      for (const call of calls) {
        if (!isObj(call) || !isObj(call.function) || typeof call.function.name !== "string" || typeof call.function.arguments !== "string") {
          return { error: `${where}: each tool call needs "function": {"name", "arguments" (a string)}` };
        }
      }
    }
    if (m.role === "assistant") {
      if (text === null && !(Array.isArray(calls) && calls.length) && m.content !== undefined && m.content !== null) return { error: `${where}: "content" must be a string or text parts` };
      if (text === null && !(Array.isArray(calls) && calls.length)) return { error: `${where}: an assistant message needs "content" or "tool_calls"` };
      if (m.weight !== undefined && m.weight !== 0 && m.weight !== 1) return { error: `${where}: "weight" must be 0 or 1` };
      assistant = true;
    } else if (text === null) {
      return { error: `${where} (${m.role}) is missing "content" or it is not a string or text parts` };
    }
    messages.push({
      role: m.role,
      content: text ?? "",
      ...(typeof m.name === "string" ? { name: m.name } : {}),
      ...(Array.isArray(calls) ? { tool_calls: calls as CountableMessage["tool_calls"] } : {}),
    });
  }
  if (!assistant) return { error: `the example has no message with role "assistant"` };
  return { messages, tools: Array.isArray(value.tools) ? value.tools : [] };
}

/**
 * Validates a chat fine-tuning JSONL file as OpenAI does before a job starts. Together and
 * Fireworks share the chat format but not OpenAI's 10-example floor, hence `minExamples`.
 */
export function validateTrainingFile(text: string, tok: Tokenizer, opts: { minExamples?: number } = {}): ValidationResult {
  const minExamples = opts.minExamples ?? MIN_EXAMPLES;
  const errors: ValidationError[] = [];
  const lines = text.split("\n");
  if (lines.length && lines[lines.length - 1]?.trim() === "") lines.pop();
  let examples = 0;
  let tokens = 0;
  lines.forEach((raw, i) => {
    if (errors.length >= MAX_ERRORS) return;
    const line = i + 1;
    if (raw.trim() === "") {
      errors.push({ line, message: `Invalid file format. Line ${line} is empty.` });
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      errors.push({ line, message: `Invalid file format. Line ${line} is not valid JSON.` });
      return;
    }
    const checked = checkExample(value);
    if ("error" in checked) {
      errors.push({ line, message: `Invalid file format. Line ${line}, ${checked.error}.` });
      return;
    }
    const count = countPromptTokens(tok, checked.messages, { tools: checked.tools });
    if (count > EXAMPLE_TOKEN_LIMIT) {
      errors.push({ line, message: `Line ${line}: the example has ${count} tokens, more than the limit of ${EXAMPLE_TOKEN_LIMIT}.` });
      return;
    }
    examples++;
    tokens += count;
  });
  if (errors.length === 0 && examples < minExamples) {
    errors.push({ line: null, message: `Training file has ${examples} example(s), but must have at least ${minExamples} examples.` });
  }
  return { valid: errors.length === 0, examples, errors, tokens };
}
