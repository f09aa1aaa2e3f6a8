import type { ContentfulStatusCode } from "hono/utils/http-status";

/** OpenAI's error body: `{ error: { message, type, param, code } }`. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** The one error the emulator throws; `app.onError` renders it in OpenAI's shape. */
export class OpenAIError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    message: string,
    readonly type: string = "invalid_request_error",
    readonly param: string | null = null,
    readonly code: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): OpenAIErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

/** 400 invalid_request_error. */
export function invalidRequest(message: string, param: string | null = null, code: string | null = null): OpenAIError {
  return new OpenAIError(400, message, "invalid_request_error", param, code);
}

/** 404 invalid_request_error (OpenAI uses this type for missing resources). */
export function notFound(message: string, param: string | null = null, code: string | null = null): OpenAIError {
  return new OpenAIError(404, message, "invalid_request_error", param, code);
}

/** The 404 OpenAI answers for an unknown model. */
export function modelNotFound(model: string): OpenAIError {
  return notFound(`The model \`${model}\` does not exist or you do not have access to it.`, "model", "model_not_found");
}

/** The 500 OpenAI answers when something breaks on its side. */
export function serverError(message = "The server had an error while processing your request. Sorry about that!"): OpenAIError {
  return new OpenAIError(500, message, "server_error");
}
