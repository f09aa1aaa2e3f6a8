import { env } from "cloudflare:workers";
import type { Bindings } from "../../src/env";
import type { FetchLike } from "../../src/llm";

/** The test env with every provider variable cleared, then `changes` applied. */
export function testEnv(changes: Partial<Bindings> = {}): Bindings {
  return {
    ...(env as Bindings),
    OPENAI_API_KEY: undefined,
    OPENAI_BASE_URL: undefined,
    TOGETHER_API_KEY: undefined,
    TOGETHER_BASE_URL: undefined,
    FIREWORKS_API_KEY: undefined,
    FIREWORKS_BASE_URL: undefined,
    FIREWORKS_ACCOUNT_ID: undefined,
    WORKERS_AI_API_KEY: undefined,
    WORKERS_AI_BASE_URL: undefined,
    CLOUDFLARE_ACCOUNT_ID: undefined,
    OPENAI_COMPATIBLE_API_KEY: undefined,
    OPENAI_COMPATIBLE_BASE_URL: undefined,
    MODEL_CATALOG: undefined,
    DEFAULT_TEACHER_MODEL: undefined,
    DEFAULT_JUDGE_MODEL: undefined,
    DEFAULT_EMBEDDING_MODEL: undefined,
    ...changes,
  };
}

/** A fetch that records every request and answers with `respond`. */
export function recordingFetch(respond: (req: Request) => Response | Promise<Response>) {
  const calls: Request[] = [];
  const fetch: FetchLike = async (input, init) => {
    const req = new Request(input as RequestInfo, init as RequestInit);
    calls.push(req.clone());
    return respond(req);
  };
  return { fetch, calls };
}

/** An OpenAI-shaped JSON response. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/** A minimal chat completion body. */
export function chatCompletion(content = "ok") {
  return {
    id: "chatcmpl-test",
    object: "chat.completion",
    created: 1_700_000_000,
    model: "gpt-4.1-2025-04-14",
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
    usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
  };
}

/** An OpenAI error body. */
export function errorBody(message: string, type = "invalid_request_error", code: string | null = null) {
  return { error: { message, type, param: null, code } };
}
