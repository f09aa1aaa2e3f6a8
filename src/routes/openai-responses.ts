import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../openapi/router";
import { TENANT_SECURITY } from "../openapi/schemas";
import { serveResponses } from "../serving/responses";
import { serveContext } from "./openai-context";
import { openAIErrors } from "./openai-errors";

const item = z.looseObject({ type: z.string().optional(), role: z.string().optional() });

/**
 * The body as far as the route checks types; the fields a structured-output application uses are
 * listed, and anything else is refused by name (400) by the translator, never ignored.
 */
const responsesRequestSchema = z
  .looseObject({
    model: z.string().min(1).max(256).optional().openapi({ description: "Omitted or `distillery:active`: the tenant's active model; `distillery:teacher`; or a model of the registry or catalog" }),
    input: z.union([z.string(), z.array(item)]).openapi({ description: "Text, or messages plus function_call / function_call_output items" }),
    instructions: z.string().nullable().optional(),
    tools: z.array(z.looseObject({ type: z.string() })).max(128).optional().openapi({ description: "Function tools only" }),
    tool_choice: z.union([z.enum(["none", "auto", "required"]), z.looseObject({ type: z.string() })]).optional(),
    parallel_tool_calls: z.boolean().nullable().optional(),
    text: z
      .looseObject({ format: z.looseObject({ type: z.string() }).optional(), verbosity: z.string().nullable().optional() })
      .nullable()
      .optional()
      .openapi({ description: "`format`: text, json_object, or json_schema `{name, schema, strict}`" }),
    temperature: z.number().min(0).max(2).nullable().optional(),
    top_p: z.number().min(0).max(1).nullable().optional(),
    max_output_tokens: z.int().positive().nullable().optional(),
    metadata: z.record(z.string().max(64), z.string().max(512)).nullable().optional(),
    stream: z.boolean().nullable().optional(),
    store: z.boolean().nullable().optional().openapi({ description: "Responses are never stored: `true` is refused" }),
    previous_response_id: z.string().nullable().optional().openapi({ description: "Refused (400): responses are not stored" }),
    user: z.string().max(256).optional(),
    safety_identifier: z.string().max(256).nullable().optional(),
  })
  .openapi("OpenAIResponsesRequest");

const responseSchema = z
  .looseObject({
    id: z.string(),
    object: z.literal("response"),
    created_at: z.int().openapi({ description: "Unix seconds" }),
    status: z.enum(["completed", "incomplete", "failed", "in_progress"]),
    model: z.string(),
    output: z.array(z.looseObject({ type: z.string(), id: z.string() })),
    usage: z.looseObject({ input_tokens: z.number(), output_tokens: z.number(), total_tokens: z.number() }).nullable(),
  })
  .openapi("OpenAIResponse");

const SERVED_HEADERS = {
  "Distillery-Model": { description: "The model that answered", schema: { type: "string" as const } },
  "Distillery-Served-By": { description: "student, teacher, or fallback (the teacher standing in for a failed student)", schema: { type: "string" as const } },
};

/**
 * OpenAI's `POST /v1/responses`, the subset a structured-output application uses, answered by the
 * tenant's model through its chat completions (src/serving/responses/).
 */
export const openaiResponsesRoutes = createRouter().openapi(
  createRoute({
    method: "post",
    path: "/",
    tags: ["openai"],
    summary: "Responses (OpenAI's shape), answered by the tenant's active model through chat completions, streamed or not",
    description:
      "Text or message input, `instructions`, function tools and their calls (`function_call` / `function_call_output` " +
      "input items), `text.format` (text, json_object, json_schema), streaming in the Responses event shapes. Nothing is " +
      "stored: `previous_response_id` and `store: true` are refused; so are built-in tools, reasoning items, `include`, " +
      "`background` and any other field, each by name. Model choice, fallback, the schema guard, capture and usage are " +
      "those of `/openai/v1/chat/completions`.",
    security: TENANT_SECURITY,
    request: { body: { required: true, content: { "application/json": { schema: responsesRequestSchema } } } },
    responses: {
      200: {
        description: "The Response, or with `stream: true` its events as server-sent events",
        headers: SERVED_HEADERS,
        content: { "application/json": { schema: responseSchema }, "text/event-stream": { schema: z.string() } },
      },
      ...openAIErrors(400, 401, 404, 409, 413, 415, 422, 429, 500, 502, 503, 504),
    },
  }),
  async (c) => serveResponses(serveContext(c), c.req.valid("json")) as never,
);
