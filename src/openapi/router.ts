import { OpenAPIHono, type Hook } from "@hono/zod-openapi";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";

/** zod failures become one `validation_failed` error listing every issue with its path. */
export const validationHook: Hook<unknown, AppEnv, string, unknown> = (result) => {
  if (result.success) return;
  const issues = result.error.issues.map((i) => ({
    path: i.path.map(String).join("."),
    message: i.message,
    code: i.code,
  }));
  const first = issues[0];
  const where = result.target === "json" ? "body" : result.target;
  throw new ApiError(
    "validation_failed",
    first ? `Invalid request ${where}: ${first.path ? `${first.path}: ` : ""}${first.message}` : `Invalid request ${where}.`,
    { details: issues },
  );
};

/** A router for one resource: an OpenAPI-described Hono sub-app with the shared validation hook. */
export function createRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
}
