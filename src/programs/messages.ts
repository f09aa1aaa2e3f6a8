import type {
  ChatCompletionMessageParam,
  ChatCompletionMessageToolCall,
  ChatCompletionTool,
} from "openai/resources/chat/completions";
import type { ProgramRecord } from "../durable/tenant/programs";
import type { ModelEntry } from "../llm";
import { schemaPromptText, strictCompatible } from "./schema";

/** The one tool a tools-mode program forces: its parameters are the output schema. */
export function programTool(program: ProgramRecord): ChatCompletionTool {
  const strict = strictCompatible(program.output_schema).ok;
  return {
    type: "function",
    function: {
      name: program.name,
      description: program.description,
      parameters: program.output_schema,
      // Strict structured outputs only where the schema already meets their rules.
      ...(strict ? { strict: true } : {}),
    },
  };
}

/** The first turn's messages: the system prompt, then the rendered template (plus, in JSON mode, the schema). */
export function firstTurn(program: ProgramRecord, rendered: string): ChatCompletionMessageParam[] {
  const user = program.mode === "json" ? `${rendered}\n\n${schemaPromptText(program.output_schema)}` : rendered;
  return [
    ...(program.system_prompt ? [{ role: "system" as const, content: program.system_prompt }] : []),
    { role: "user" as const, content: user },
  ];
}

/** `response_format` for JSON mode, as far as the model supports it (none: the prompt carries the schema). */
export function responseFormat(program: ProgramRecord, model: ModelEntry) {
  if (model.supports_response_format === "json_schema") {
    const strict = strictCompatible(program.output_schema).ok;
    return {
      response_format: {
        type: "json_schema" as const,
        json_schema: { name: program.name, schema: program.output_schema, ...(strict ? { strict: true } : {}) },
      },
    };
  }
  if (model.supports_response_format === "json_object") return { response_format: { type: "json_object" as const } };
  return {};
}

function describeErrors(errors: readonly { path: string; message: string }[]): string {
  return errors.map((e) => `- ${e.path || "(root)"}: ${e.message}`).join("\n");
}

/** The repair turn of JSON mode: the model sees its answer and what is wrong with it. */
export function jsonRepairTurn(raw: string, errors: readonly { path: string; message: string }[]): ChatCompletionMessageParam[] {
  return [
    { role: "assistant", content: raw },
    {
      role: "user",
      content:
        `That answer does not match the JSON schema:\n${describeErrors(errors)}\n\n` +
        "Reply with only the corrected JSON object, and nothing else.",
    },
  ];
}

/** The repair turn of tools mode: the tool "answers" with the validation errors and is called again. */
export function toolRepairTurn(
  call: ChatCompletionMessageToolCall,
  errors: readonly { path: string; message: string }[],
): ChatCompletionMessageParam[] {
  return [
    { role: "assistant", content: null, tool_calls: [call] },
    {
      role: "tool",
      tool_call_id: call.id,
      content: `The arguments do not match the function's schema:\n${describeErrors(errors)}\nCall the function again with corrected arguments.`,
    },
  ];
}
