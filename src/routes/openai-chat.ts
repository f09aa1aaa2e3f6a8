import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../openapi/router";
import { TENANT_SECURITY } from "../openapi/schemas";
import { serveChat } from "../serving/chat";
import { chatRequestSchema } from "../serving/params";
import { serveContext } from "./openai-context";
import { openAIErrors } from "./openai-errors";

const completionSchema = z
  .object({
    id: z.string(),
    object: z.literal("chat.completion"),
    created: z.number(),
    model: z.string(),
    choices: z.array(z.object({ index: z.number(), message: z.record(z.string(), z.unknown()), finish_reason: z.string().nullable() })),
    usage: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi("OpenAIChatCompletion");

const SERVED_HEADERS = {
  "Distillery-Model": { description: "The model that answered", schema: { type: "string" as const } },
  "Distillery-Served-By": { description: "student, teacher, or fallback (the teacher standing in for a failed student)", schema: { type: "string" as const } },
};

/**
 * OpenAI's `POST /v1/chat/completions`, answered by the tenant's model: OpenAI SDK code changes
 * only its base URL (`/openai/v1`) and key. The logic lives in src/serving/chat.ts.
 */
export const openaiChatRoutes = createRouter().openapi(
  createRoute({
    method: "post",
    path: "/",
    tags: ["openai"],
    summary: "Chat completions (OpenAI's shape), answered by the tenant's active model, streamed or not",
    description:
      "`model` omitted or `distillery:active`: the tenant's active model; `distillery:teacher`: the teacher; else a model " +
      "of the tenant's registry or the catalog. Parameters the model does not support are refused by name. Headers: " +
      "`Distillery-Capture: <dataset>` records the exchange (`Distillery-Capture-Payload: false`: usage only); " +
      "`Distillery-Schema-Guard: true|false` overrides the tenant's schema guard (not applied to streams).",
    security: TENANT_SECURITY,
    request: { body: { required: true, content: { "application/json": { schema: chatRequestSchema } } } },
    responses: {
      200: {
        description: "The completion, or with `stream: true` its chunks as server-sent events",
        headers: SERVED_HEADERS,
        content: { "application/json": { schema: completionSchema }, "text/event-stream": { schema: z.string() } },
      },
      ...openAIErrors(400, 401, 404, 409, 413, 422, 429, 500, 502, 503, 504),
    },
  }),
  // The validator parsed the body with the serving core's own schema: it is not parsed again.
  async (c) => serveChat(serveContext(c), c.req.valid("json")) as never,
);


