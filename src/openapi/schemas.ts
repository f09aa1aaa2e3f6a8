import { z } from "@hono/zod-openapi";
import { ERROR_STATUS, type ErrorCode } from "../errors";
import { plainText } from "../lib/plain-text";

/** The one error body, as documented in /openapi.json. */
export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]),
      message: z.string(),
      details: z.unknown().optional(),
      request_id: z.string(),
    }),
  })
  .openapi("Error");

const DESCRIPTIONS: Record<number, string> = {
  400: "Bad request: invalid JSON or a field that fails validation",
  401: "Missing, invalid or revoked credentials",
  403: "Credentials that may not call this route",
  404: "Not found (also for another tenant's ids)",
  409: "Conflict (including an Idempotency-Key reused with another body)",
  413: "Request body over the configured size",
  415: "A request Content-Type the operation does not take",
  422: "The model's output could not be made valid",
  429: "Rate limited: see Retry-After",
  502: "The upstream provider failed",
  503: "The upstream provider is unavailable",
};

/** OpenAPI `responses` entries for the given error statuses. */
export function errorResponses(...statuses: (keyof typeof DESCRIPTIONS)[]) {
  const out: Record<number, { description: string; content: { "application/json": { schema: typeof errorBodySchema } } }> =
    {};
  for (const s of statuses) {
    out[s] = { description: DESCRIPTIONS[s]!, content: { "application/json": { schema: errorBodySchema } } };
  }
  return out;
}

/** `{ "application/json": { schema } }`, the common case. */
export function jsonContent<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}

/** The `{id}` path parameter every resource route takes (one definition for all of them). */
export const idParams = z.object({
  id: plainText(z.string().min(1).max(64)).openapi({ param: { name: "id", in: "path" } }),
});

/**
 * A name or an identifier a client sends (a title, a key's name, a model, a provider's job id):
 * 1–`max` characters, none of them control characters, lone surrogates or bidi overrides.
 */
export function nameField(max: number) {
  return plainText(z.string().min(1).max(max));
}

export const TENANT_SECURITY = [{ tenantKey: [] }];
export const ADMIN_SECURITY = [{ adminToken: [] }];

export const idempotencyKeyHeader = z.object({
  "idempotency-key": z
    .string()
    .optional()
    .openapi({ description: "Makes the POST safe to retry: a repeat with the same key and body replays the first answer." }),
});

/** The one time format of the API: unix seconds (as OpenAI's objects). */
export const unixTime = z.number().int().openapi({ description: "Unix seconds" });
