import { NO_ANSWER, extractiveAnswer, generateQuestions } from "../generate/answers";
import { buildContext, rankSentences, type PlainMessage } from "../generate/context";
import { fillSchema, type FillMode } from "../generate/schema-fill";
import { randomId } from "../ids";
import type { ScriptAction } from "../runs/config";
import { breakJson, degradationFor, degradeProse, degradeValue } from "../profiles/degrade";
import { splitSentences } from "../generate/text";
import { isJudgeTool, judgeArguments } from "../profiles/judge";
import type { Profile } from "../profiles/resolve";
import type { Tokenizer } from "../tokens";
import type { ChatPlan } from "./plan";
import type { ChatRequest } from "./request";

export interface ToolCallOut {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export type FinishReason = "stop" | "length" | "tool_calls";

export interface GeneratedChoice {
  index: number;
  content: string | null;
  refusal: string | null;
  toolCalls: ToolCallOut[];
  finishReason: FinishReason;
  completionTokens: number;
}

export const REFUSAL = "I'm sorry, but I can't assist with that request.";
export const EMPTY_RESPONSE = "Empty Response";

function fillMode(action: ScriptAction | null): FillMode {
  return action === "no_context" ? "no_context" : action === "wrong_count" ? "wrong_count" : "normal";
}

/** Who answers: the model's profile, and the request's key for its draws (its messages, never the model). */
export interface Answerer {
  profile: Profile;
  requestKey: string;
}

const TEACHER: Answerer = { profile: { kind: "teacher" }, requestKey: "" };

/**
 * A structured answer as this model gives it: the judge's verdict for a judge call; otherwise the
 * schema filled from the context, spoiled when the model's profile draws a degradation (scripted
 * behaviour takes precedence: a script step is an explicit instruction).
 */
function structuredAnswer(plan: Extract<ChatPlan, { mode: "tool" | "json" }>, ctx: ReturnType<typeof buildContext>, messages: PlainMessage[], index: number, action: ScriptAction | null, who: Answerer): string {
  if (plan.mode === "tool" && plan.forced && isJudgeTool(plan.tool.function.name, plan.schema)) return JSON.stringify(judgeArguments(plan.tool.function.name, messages));
  const value = fillSchema(plan.schema, ctx, fillMode(action));
  const degradation = action === null ? degradationFor(who.profile, who.requestKey, index) : null;
  if (degradation === "break_json") return breakJson(JSON.stringify(value));
  return JSON.stringify(degradation ? degradeValue(value, degradation, `${who.requestKey}\u0000${index}`, ctx.text) : value);
}

/** The raw answer for one choice, before truncation. */
function answer(plan: ChatPlan, messages: PlainMessage[], index: number, action: ScriptAction | null, who: Answerer): { content: string | null; refusal: string | null; args?: string } {
  const ctx = buildContext(messages, index);
  const structured = plan.mode === "tool" || (plan.mode === "json" && plan.structured);
  if (action === "refusal") return structured ? { content: null, refusal: REFUSAL } : { content: REFUSAL, refusal: null };
  switch (plan.mode) {
    case "tool": {
      const args = structuredAnswer(plan, ctx, messages, index, action, who);
      if (action === "invalid_json") return { content: null, refusal: null, args: args.slice(0, Math.max(1, Math.floor(args.length * 0.6))) };
      if (action === "chatty_preamble") return { content: `Sure! I'll call ${plan.tool.function.name} with what I found in the text.`, refusal: null, args };
      return { content: null, refusal: null, args };
    }
    case "json": {
      if (action === "chatty_preamble") {
        const value = fillSchema(plan.schema, ctx, fillMode(action));
        return { content: `Here is the JSON you asked for:\n\`\`\`json\n${JSON.stringify(value, null, 2)}\n\`\`\``, refusal: null };
      }
      const json = structuredAnswer(plan, ctx, messages, index, action, who);
      if (action === "invalid_json") return { content: json.slice(0, Math.max(1, Math.floor(json.length * 0.6))), refusal: null };
      return { content: json, refusal: null };
    }
    case "questions": {
      if (action === "no_context") return { content: EMPTY_RESPONSE, refusal: null };
      const count = action === "wrong_count" ? plan.count + 1 : plan.count;
      const questions = generateQuestions(ctx, count);
      if (action === "chatty_preamble") {
        return { content: `Here are ${questions.length} questions:\n${questions.map((q, i) => `${i + 1}. ${q}`).join("\n")}`, refusal: null };
      }
      return { content: questions.join("\n"), refusal: null };
    }
    case "text": {
      if (action === "no_context") return { content: EMPTY_RESPONSE, refusal: null };
      const text = extractiveAnswer(ctx);
      if (action === "chatty_preamble") {
        const lines = text === NO_ANSWER ? [text] : rankSentences(ctx).slice(0, 3).map((s) => s.text);
        return { content: `Sure! Here is what I found:\n${lines.map((l, i) => `${i + 1}. ${l}`).join("\n")}`, refusal: null };
      }
      const degradation = action === null ? degradationFor(who.profile, who.requestKey, index) : null;
      if (degradation) return { content: degradeProse(text, degradation, splitSentences(text), `${who.requestKey}\u0000${index}`, ctx.text), refusal: null };
      return { content: text, refusal: null };
    }
  }
}

function cutAtStop(text: string, stop: ChatRequest["stop"]): string {
  const stops = stop === undefined || stop === null ? [] : typeof stop === "string" ? [stop] : stop;
  let cut = text.length;
  for (const s of stops) {
    const at = s ? text.indexOf(s) : -1;
    if (at !== -1) cut = Math.min(cut, at);
  }
  return text.slice(0, cut);
}

/** Generates every choice of a chat completion, applying stop sequences and the token limit. */
export function generateChoices(req: ChatRequest, plan: ChatPlan, messages: PlainMessage[], tok: Tokenizer, action: ScriptAction | null, who: Answerer = TEACHER): GeneratedChoice[] {
  const limit = req.max_completion_tokens ?? req.max_tokens ?? Infinity;
  const choices: GeneratedChoice[] = [];
  for (let index = 0; index < (req.n ?? 1); index++) {
    const raw = answer(plan, messages, index, action, who);
    let used = 0;
    let truncated = false;
    // Content, refusal and tool arguments share the completion budget, in that order.
    const take = (text: string): string => {
      const tokens = tok.encode(text);
      const room = limit - used;
      if (tokens.length <= room) {
        used += tokens.length;
        return text;
      }
      truncated = true;
      const kept = Math.max(0, room);
      used += kept;
      return tok.decode(tokens.slice(0, kept));
    };
    const content = raw.content === null ? null : take(cutAtStop(raw.content, req.stop));
    const refusal = raw.refusal === null ? null : take(raw.refusal);
    const toolCalls: ToolCallOut[] = [];
    if (raw.args !== undefined && plan.mode === "tool" && !truncated) {
      toolCalls.push({ id: randomId("call_", 24), type: "function", function: { name: plan.tool.function.name, arguments: take(raw.args) } });
    }
    const finishReason: FinishReason = truncated ? "length" : toolCalls.length && plan.mode === "tool" && !plan.forced ? "tool_calls" : "stop";
    choices.push({ index, content, refusal, toolCalls, finishReason, completionTokens: used });
  }
  return choices;
}
