import { z } from "@hono/zod-openapi";

/** OpenAI's error body, which every `/openai/*` error answer uses (src/errors.ts). */
export const openAIErrorSchema = z
  .object({ error: z.object({ message: z.string(), type: z.string(), param: z.string().nullable(), code: z.string().nullable() }) })
  .openapi("OpenAIError");

/** OpenAPI `responses` entries in OpenAI's error shape for the given statuses. */
export function openAIErrors(...statuses: number[]) {
  const out: Record<number, { description: string; content: { "application/json": { schema: typeof openAIErrorSchema } } }> = {};
  for (const s of statuses) out[s] = { description: `Error (${s}) in OpenAI's shape`, content: { "application/json": { schema: openAIErrorSchema } } };
  return out;
}
