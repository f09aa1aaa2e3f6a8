import { errorResponses } from "./schemas";

type Parameter = { in?: string; name?: string };
type Operation = { parameters?: Parameter[]; requestBody?: unknown; responses?: Record<string, unknown> };
type Document = { paths?: Record<string, Record<string, unknown>> };

const METHODS = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);

/**
 * Adds to every operation the refusals the edge gives whatever the route declares, so /openapi.json
 * lists every status a client can get (the fuzz suite checks it does): 400 where anything is
 * validated (path, query or body), 413 and 415 where a body is read, 409 where an Idempotency-Key is
 * taken (the key reused with another body). A route's own entry for a status is kept.
 */
export function withEdgeResponses<T extends object>(doc: T): T {
  for (const item of Object.values((doc as Document).paths ?? {})) {
    for (const [method, value] of Object.entries(item)) {
      if (!METHODS.has(method)) continue;
      const op = value as Operation;
      const params = op.parameters ?? [];
      const statuses: (400 | 409 | 413 | 415)[] = [];
      if (op.requestBody || params.some((p) => p.in === "path" || p.in === "query")) statuses.push(400);
      if (op.requestBody) statuses.push(413, 415);
      if (params.some((p) => p.in === "header" && p.name?.toLowerCase() === "idempotency-key")) statuses.push(409);
      const edge = errorResponses(...statuses);
      op.responses = { ...op.responses };
      for (const [status, response] of Object.entries(edge)) op.responses[status] ??= response;
    }
  }
  return doc;
}
