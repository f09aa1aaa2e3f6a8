import { createRoute, z } from "@hono/zod-openapi";
import { loadCatalog } from "../llm";
import { createRouter } from "../openapi/router";
import { jsonContent, TENANT_SECURITY } from "../openapi/schemas";

const modelObject = z
  .object({ id: z.string(), object: z.literal("model"), created: z.number(), owned_by: z.string() })
  .openapi("OpenAIModel");

/** OpenAI's `GET /v1/models`, so OpenAI SDK clients pointed at `/openai/v1` can list what they may call. */
export const openaiModelRoutes = createRouter().openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: ["openai"],
    summary: "List the chat models this tenant can call (OpenAI's shape)",
    security: TENANT_SECURITY,
    responses: {
      200: jsonContent(z.object({ object: z.literal("list"), data: z.array(modelObject) }), "Models"),
      401: jsonContent(
        z.object({
          error: z.object({ message: z.string(), type: z.string(), param: z.string().nullable(), code: z.string().nullable() }),
        }),
        "OpenAI-shaped error",
      ),
    },
  }),
  (c) => {
    const data = loadCatalog(c.env)
      .models.filter((m) => m.kind === "chat")
      .map((m) => ({ id: m.id, object: "model" as const, created: 0, owned_by: m.provider }));
    return c.json({ object: "list" as const, data }, 200);
  },
);
