import type { Context } from "hono";
import type { AppEnv } from "../env";
import { ApiError, errorResponse } from "../errors";

interface RouteLike {
  method: string;
  path: string;
}

/**
 * Hono answers an unmatched method like an unknown path. This notFound handler
 * tells them apart: a path that some route serves with another method is a 405
 * with an `Allow` header; anything else is a 404.
 */
export function notFoundOrMethodNotAllowed(routes: () => readonly RouteLike[]) {
  let compiled: { re: RegExp; method: string }[] | undefined;
  return (c: Context<AppEnv>): Response => {
    compiled ??= routes()
      .filter((r) => r.method !== "ALL" && !r.path.includes("*"))
      .map((r) => ({ re: pathRegExp(r.path), method: r.method }));
    const path = new URL(c.req.url).pathname;
    const allowed = [...new Set(compiled.filter((r) => r.re.test(path)).map((r) => r.method))];
    if (allowed.length > 0) {
      return errorResponse(
        c,
        new ApiError("method_not_allowed", `${c.req.method} is not allowed on ${path}; use ${allowed.join(", ")}.`, {
          headers: { Allow: allowed.join(", ") },
        }),
      );
    }
    return errorResponse(c, new ApiError("not_found", `No route for ${c.req.method} ${path}.`));
  };
}

function pathRegExp(path: string): RegExp {
  const body = path
    .split("/")
    .map((seg) => (seg.startsWith(":") ? "[^/]+" : seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("/");
  return new RegExp(`^${body}/?$`);
}
