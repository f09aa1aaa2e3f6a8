import type { Context } from "hono";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";

/** A stored answer to replay (see idempotency.ts). */
interface Replay {
  status: number;
  body: string;
}

/** The resource a stored 202 answered with: a dataset (`{id: "ds_…"}`) or a document (`{document: {id: "doc_…"}}`). */
function acceptedResource(body: string): { kind: "dataset" | "document"; id: string } | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  const o = parsed as { id?: unknown; document?: { id?: unknown } } | null;
  const id = typeof o?.document?.id === "string" ? o.document.id : typeof o?.id === "string" ? o.id : null;
  if (!id) return null;
  if (id.startsWith("ds_")) return { kind: "dataset", id };
  if (id.startsWith("doc_")) return { kind: "document", id };
  return null;
}

/**
 * Before an Idempotency-Key replays a 202 (work accepted), checks the work it accepted: when it has
 * since failed or stalled, the replay would tell the client all is well, so this throws a 409
 * saying what became of it and what to do. Anything else replays as stored.
 */
export async function checkReplay(c: Context<AppEnv>, replay: Replay): Promise<void> {
  if (replay.status !== 202) return;
  const tenant = c.get("tenant");
  const resource = acceptedResource(replay.body);
  if (!tenant || !resource) return;
  const now =
    resource.kind === "dataset"
      ? await tenant.datasets.show(resource.id).then((s) => ({ status: s.dataset.status as string, stalled: s.stalled, error: s.dataset.error }))
      : await tenant.documents.show(resource.id).then((s) => ({ status: s.document.status as string, stalled: s.stalled, error: s.document.error?.message ?? null }));
  if (now.status !== "failed" && !now.stalled) return;
  const path = `/api/${resource.kind}s/${resource.id}`;
  const what = resource.kind === "dataset" ? "dataset" : "document";
  const message =
    now.status === "failed"
      ? `The ${what} this request started, ${resource.id}, has since failed${now.error ? `: ${now.error}` : ""}. Retry it with POST ${path}/retry.`
      : `The ${what} this request started, ${resource.id}, has stalled (${now.status}, no progress past its lease); the sweeper resumes it on its next run. GET ${path} shows where it stands.`;
  throw new ApiError("conflict", message, { details: { [what]: resource.id, status: now.status, stalled: now.stalled, replayed: false } });
}
