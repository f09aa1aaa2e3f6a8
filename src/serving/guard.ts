import { compileOutputValidator } from "../programs/schema";
import type { ChatRequest } from "./params";

/** The schema a guarded answer must meet, and where in the answer it is. */
export interface GuardTarget {
  where: "content" | "tool_call";
  /** For a forced tool call: the tool's name. */
  tool?: string;
  schema: Record<string, unknown>;
}

/**
 * What the schema guard checks for this request, or null when it does not apply: a strict
 * `json_schema` response format, or a tool call forced by name (its parameters).
 */
export function guardTarget(req: ChatRequest): GuardTarget | null {
  const rf = req.response_format;
  if (rf?.type === "json_schema" && rf.json_schema.strict === true && rf.json_schema.schema) {
    return { where: "content", schema: rf.json_schema.schema };
  }
  const choice = req.tool_choice;
  if (choice && typeof choice === "object") {
    const tool = req.tools?.find((t) => t.function.name === choice.function.name);
    if (tool?.function.parameters) return { where: "tool_call", tool: tool.function.name, schema: tool.function.parameters };
  }
  return null;
}

interface CompletionShape {
  choices?: Array<{ message?: { content?: string | null; tool_calls?: Array<{ function?: { name?: string; arguments?: string } }> } }>;
}

/**
 * Why a completion's every choice does not meet the target (parse or validation error, in a
 * sentence), or null when all do. A schema the validator cannot compile guards nothing (null).
 */
export function guardProblem(target: GuardTarget, completion: CompletionShape): string | null {
  let validate: ReturnType<typeof compileOutputValidator>;
  try {
    validate = compileOutputValidator(target.schema as Parameters<typeof compileOutputValidator>[0]);
  } catch {
    return null;
  }
  const choices = completion.choices ?? [];
  if (choices.length === 0) return "no choices";
  for (const [i, choice] of choices.entries()) {
    const text =
      target.where === "content"
        ? choice.message?.content
        : choice.message?.tool_calls?.find((c) => c.function?.name === target.tool)?.function?.arguments;
    if (typeof text !== "string") return `choice ${i}: no ${target.where === "content" ? "content" : `call of ${target.tool}`}`;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return `choice ${i}: not valid JSON`;
    }
    const result = validate(value);
    if (!result.ok) return `choice ${i}: ${result.errors.length} schema error(s)`;
  }
  return null;
}
