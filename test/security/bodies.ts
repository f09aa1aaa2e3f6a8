import { exampleLines } from "../helpers/jobs";
import { WEBHOOK_HOST } from "../outbound/protocol";
import { JOB_PROVIDER, programSpec } from "./fixtures";

/** A request body: JSON, or raw text with its content type. */
export type Body = { json: unknown } | { raw: string; contentType: string };

/**
 * A minimal valid body per route (`METHOD /path`), so a probe gets past validation to the auth and
 * ownership checks: a 400 for a bad body would hide what those checks answer. A route whose OpenAPI
 * operation requires a body and has none here fails the suite.
 */
export const BODIES: Record<string, Body> = {
  "POST /admin/tenants": { json: { name: "probe" } },
  "POST /admin/tenants/:id/keys": { json: { name: "probe" } },
  "POST /api/keys": { json: { name: "probe" } },
  "PATCH /api/settings": { json: { chunking: { chunk_size: 512, chunk_overlap: 50 } } },
  "POST /api/documents": { json: { title: "probe", text: "A probe document." } },
  "POST /api/retrieve": { json: { query: "probe" } },
  "POST /api/programs": { json: { name: "probe", ...programSpec("probe") } },
  "PUT /api/programs/:name": { json: programSpec("probe v2") },
  "POST /api/programs/:name/run": { json: { variables: { topic: "probes" } } },
  "POST /api/query": { json: { question: "probe?", program: "probe" } },
  "POST /openai/v1/chat/completions": { json: { model: "distillery:teacher", messages: [{ role: "user", content: "probe?" }] } },
  "POST /openai/v1/embeddings": { json: { input: "probe" } },
  "POST /api/datasets": { json: { name: "probe" } },
  "POST /api/datasets/:id/import": { raw: exampleLines(1, "probe"), contentType: "application/x-ndjson" },
  "POST /api/jobs": { json: { dataset: "probe", ...JOB_PROVIDER } },
  "POST /api/jobs/attach": { json: { provider: JOB_PROVIDER.provider, provider_job_id: "ft-probe" } },
  "POST /api/evals": { json: { dataset: "probe", models: ["meta-llama/Llama-3.2-3B-Instruct"] } },
  "POST /api/webhooks": { json: { url: `https://${WEBHOOK_HOST}/probe`, events: ["*"] } },
  "PATCH /api/webhooks/:id": { json: { events: ["fine_tune.job.*"] } },
  "POST /openai/v1/responses": { json: { input: "probe" } },
  "PUT /api/settings/promotion": { json: { auto_promote: true } },
  "POST /api/models/active": { json: { model: "probe" } },
};

/** `RequestInit` fields for a body. */
export function bodyInit(body: Body | undefined): { json?: unknown; body?: string; headers?: Record<string, string> } {
  if (!body) return {};
  if ("json" in body) return { json: body.json };
  return { body: body.raw, headers: { "Content-Type": body.contentType } };
}
