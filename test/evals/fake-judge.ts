import type { ChatCompletion } from "openai/resources/chat/completions";
import type { ChatParams } from "../../src/programs/chat-call";
import type { Judge } from "../../src/evals";
import type { ModelEntry } from "../../src/llm";

/**
 * A judge double for pure tests: answers each call with the next scripted answer (an object
 * becomes the forced tool's arguments, a string is sent as raw arguments, `{content}` answers
 * without calling the tool) and keeps every request it saw.
 */
export function scriptedJudge(answers: Array<unknown | ((params: ChatParams) => unknown)>): Judge & { calls: ChatParams[] } {
  const calls: ChatParams[] = [];
  let next = 0;
  return {
    model: "judge-double",
    calls,
    chat: async (params) => {
      calls.push(params);
      if (next >= answers.length) throw new Error(`the judge double has no answer for call ${next + 1}`);
      const scripted = answers[next++];
      const answer = typeof scripted === "function" ? (scripted as (p: ChatParams) => unknown)(params) : scripted;
      const name = params.tool_choice && typeof params.tool_choice === "object" && "function" in params.tool_choice ? params.tool_choice.function.name : "none";
      const content = answer && typeof answer === "object" && "content" in answer ? String((answer as { content: unknown }).content) : null;
      const completion = {
        id: "chatcmpl-double",
        object: "chat.completion",
        created: 0,
        model: "judge-double",
        choices: [
          {
            index: 0,
            finish_reason: "stop",
            logprobs: null,
            message: {
              role: "assistant",
              content,
              refusal: null,
              ...(content === null ? { tool_calls: [{ id: `call_${next}`, type: "function", function: { name, arguments: typeof answer === "string" ? answer : JSON.stringify(answer) } }] } : {}),
            },
          },
        ],
      } as ChatCompletion;
      return { completion, usage: { model: {} as ModelEntry, kind: "chat", prompt_tokens: 10, completion_tokens: 5 } };
    },
  };
}

/** The user message of a judge call, where the prompts put their tagged inputs. */
export const userText = (p: ChatParams) => String(p.messages.find((m) => m.role === "user")?.content ?? "");
