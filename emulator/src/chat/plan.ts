import { wantsQuestions } from "../generate/answers";
import type { GenContext } from "../generate/context";
import { asksForJson, schemaFromPrompt } from "../generate/prompt-json";
import type { JsonSchema } from "../generate/schema";
import { contentWords, identifierWords, overlap } from "../generate/text";
import type { ScriptStep } from "../runs/config";
import type { ChatRequest, ToolDef } from "./request";

/** How a request is answered. */
export type ChatPlan =
  | { mode: "tool"; tool: ToolDef; schema: JsonSchema; forced: boolean }
  | { mode: "json"; schema: JsonSchema; structured: boolean }
  | { mode: "questions"; count: number }
  | { mode: "text" };

const EMPTY_OBJECT: JsonSchema = { type: "object", properties: {} };

/** The tool whose name and description share most words with the question (the first on ties). */
export function pickTool(tools: readonly ToolDef[], ctx: GenContext): ToolDef | undefined {
  let best = tools[0];
  let bestScore = 0;
  for (const tool of tools) {
    const words = new Set([...identifierWords(tool.function.name), ...contentWords(tool.function.description ?? "")]);
    const score = overlap(words, ctx.questionWords) * 2 + overlap(words, new Set(contentWords(ctx.text))) * 0.1;
    if (score > bestScore) {
      best = tool;
      bestScore = score;
    }
  }
  return best;
}

/** Decides between a tool call, JSON content, a list of questions and an extractive answer. */
export function planChat(req: ChatRequest, ctx: GenContext): ChatPlan {
  const tools = req.tools ?? [];
  const choice = req.tool_choice ?? (tools.length ? "auto" : "none");
  const last = req.messages[req.messages.length - 1];
  // After a tool result, "auto" answers in prose, as a model finishing an agent loop does.
  const answeringToolResult = choice === "auto" && last?.role === "tool";
  if (tools.length && choice !== "none" && !answeringToolResult) {
    const forced = typeof choice === "object" ? tools.find((t) => t.function.name === choice.function.name) : undefined;
    const tool = forced ?? (pickTool(tools, ctx) as ToolDef);
    return { mode: "tool", tool, schema: tool.function.parameters ?? EMPTY_OBJECT, forced: forced !== undefined };
  }
  const format = req.response_format;
  if (format?.type === "json_schema") return { mode: "json", schema: format.json_schema.schema ?? EMPTY_OBJECT, structured: true };
  const prompt = schemaFromPrompt(ctx.promptText);
  if (format?.type === "json_object" || (prompt && !prompt.inferred && asksForJson(ctx.promptText))) {
    if (prompt) return { mode: "json", schema: prompt.schema, structured: false };
    const fallback: JsonSchema = wantsQuestions(ctx)
      ? { type: "object", properties: { questions: { type: "array", items: { type: "string" } } } }
      : { type: "object", properties: { answer: { type: "string", description: "answer" } } };
    return { mode: "json", schema: fallback, structured: false };
  }
  if (wantsQuestions(ctx)) return { mode: "questions", count: ctx.asked?.count ?? 3 };
  return { mode: "text" };
}

/** Whether a script step can act on this kind of answer (so it is not consumed where it cannot apply). */
export function scriptApplies(step: ScriptStep, plan: ChatPlan, streamed = false): boolean {
  if (step.action === "invalid_json") return plan.mode === "tool" || plan.mode === "json";
  if (step.action === "wrong_count") return plan.mode !== "text";
  if (step.action === "hang_stream") return streamed;
  return true;
}
